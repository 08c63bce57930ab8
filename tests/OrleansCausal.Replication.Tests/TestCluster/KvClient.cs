using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace OrleansCausal.Replication.Tests.TestCluster;

/// <summary>A minimal client of the external API (DESIGN.md §3) for tests: GET/PUT/DELETE with the Causal-Context header.</summary>
public sealed class KvClient(Uri baseAddress) : IDisposable
{
    public const string ContextHeader = "Causal-Context";
    private readonly HttpClient _http = new() { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(30) };

    public async Task<KvRead> GetAsync(string ns, string key, CancellationToken cancellationToken = default)
    {
        using var response = await _http.GetAsync($"v1/kv/{ns}/{Uri.EscapeDataString(key)}", cancellationToken);
        return await ReadAsync(response, cancellationToken);
    }

    /// <summary>Writes <paramref name="json"/>; <paramref name="context"/> null is a blind write.</summary>
    public async Task<KvRead> PutAsync(string ns, string key, string json, string? context, CancellationToken cancellationToken = default)
    {
        using var request = new HttpRequestMessage(HttpMethod.Put, $"v1/kv/{ns}/{Uri.EscapeDataString(key)}")
        {
            Content = new StringContent(json, Encoding.UTF8, "application/json"),
        };
        if (context is not null)
        {
            request.Headers.TryAddWithoutValidation(ContextHeader, context);
        }

        using var response = await _http.SendAsync(request, cancellationToken);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            throw new HttpRequestException($"PUT {ns}/{key} at {baseAddress} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(cancellationToken)}");
        }

        return await ReadAsync(response, cancellationToken);
    }

    public async Task DeleteAsync(string ns, string key, string? context, CancellationToken cancellationToken = default)
    {
        using var request = new HttpRequestMessage(HttpMethod.Delete, $"v1/kv/{ns}/{Uri.EscapeDataString(key)}");
        if (context is not null)
        {
            request.Headers.TryAddWithoutValidation(ContextHeader, context);
        }

        using var response = await _http.SendAsync(request, cancellationToken);
        if (response.StatusCode != HttpStatusCode.NoContent)
        {
            throw new HttpRequestException($"DELETE {ns}/{key} at {baseAddress} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(cancellationToken)}");
        }
    }

    public Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken = default) => _http.SendAsync(request, cancellationToken);

    public void Dispose() => _http.Dispose();

    private async Task<KvRead> ReadAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var context = response.Headers.TryGetValues(ContextHeader, out var values) ? values.Single() : null;
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return new KvRead(false, [], context);
        }

        if (response.StatusCode != HttpStatusCode.OK)
        {
            throw new HttpRequestException($"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(cancellationToken)}");
        }

        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
        var siblings = document.RootElement.GetProperty("siblings").EnumerateArray()
            .Select(s => new KvSibling(s.GetProperty("dot").GetString()!, s.GetProperty("value").GetRawText()))
            .OrderBy(s => s.Dot, StringComparer.Ordinal)
            .ToList();
        return new KvRead(true, siblings, context);
    }
}

/// <summary>A read: found or not, the live siblings (sorted by dot) and the context token.</summary>
public sealed record KvRead(bool Found, IReadOnlyList<KvSibling> Siblings, string? Context)
{
    public IEnumerable<string> Values => Siblings.Select(s => s.Value);

    public override string ToString() => $"[{string.Join(", ", Siblings.Select(s => $"{s.Dot}={s.Value}"))}] ctx {Context ?? "-"}";
}

public sealed record KvSibling(string Dot, string Value);
