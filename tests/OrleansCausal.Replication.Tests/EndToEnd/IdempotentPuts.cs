using System.Net;
using System.Text;
using System.Text.Json;
using OrleansCausal.Replication.Tests.TestCluster;

namespace OrleansCausal.Replication.Tests.EndToEnd;

/// <summary>PUT with an <c>Idempotency-Key</c> through <see cref="KvClient"/>, reading the replay header and the
/// answer's siblings (the tests of issue #16).</summary>
internal static class IdempotentPuts
{
    public const string KeyHeader = "Idempotency-Key";
    public const string ReplayedHeader = "Idempotency-Replayed";

    public sealed record Answer(bool Replayed, IReadOnlyList<KvSibling> Siblings, string? Context);

    /// <summary>A PUT of <paramref name="json"/> (blind when <paramref name="context"/> is null) as operation
    /// <paramref name="operationId"/>; throws unless it is answered 200.</summary>
    public static async Task<Answer> PutKeyedAsync(this KvClient client, string ns, string key, string json, string operationId, string? context = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Put, $"v1/kv/{ns}/{Uri.EscapeDataString(key)}")
        {
            Content = new StringContent(json, Encoding.UTF8, "application/json"),
        };
        request.Headers.TryAddWithoutValidation(KeyHeader, operationId);
        if (context is not null)
        {
            request.Headers.TryAddWithoutValidation(KvClient.ContextHeader, context);
        }

        using var response = await client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        if (response.StatusCode != HttpStatusCode.OK)
        {
            throw new HttpRequestException($"PUT {ns}/{key} as {operationId} answered {(int)response.StatusCode}: {text}");
        }

        using var body = JsonDocument.Parse(text);
        var siblings = body.RootElement.GetProperty("siblings").EnumerateArray()
            .Select(s => new KvSibling(s.GetProperty("dot").GetString()!, s.GetProperty("value").GetRawText()))
            .OrderBy(s => s.Dot, StringComparer.Ordinal)
            .ToList();
        var replayed = response.Headers.TryGetValues(ReplayedHeader, out var values) && values.Single() == "true";
        return new Answer(replayed, siblings, response.Headers.TryGetValues(KvClient.ContextHeader, out var c) ? c.Single() : null);
    }
}
