using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace OrleansCausal.Cli;

/// <summary>One HTTP answer: status, body (JSON when there is one) and the <c>Causal-Context</c> header.</summary>
internal sealed record ApiAnswer(HttpStatusCode Status, JsonElement? Body, string? Context, string RawBody)
{
    public bool Ok => (int)Status is >= 200 and < 300;

    /// <summary>"Title: detail" of a problem details body, or the status line.</summary>
    public string Problem
    {
        get
        {
            string? Text(string name) => Body is { ValueKind: JsonValueKind.Object } body && body.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
            var title = Text("title");
            var detail = Text("detail");
            return (title, detail) switch
            {
                (not null, not null) => $"{title}: {detail}",
                (not null, null) => title,
                (null, not null) => detail,
                _ => $"HTTP {(int)Status} {Status}" + (RawBody.Length > 0 ? $": {RawBody}" : ""),
            };
        }
    }
}

/// <summary>The server's HTTP API as the CLI uses it (DESIGN.md §3).</summary>
internal sealed class CausalApi(HttpClient http, string? replicationSecret)
{
    public const string ContextHeader = "Causal-Context";

    public Uri BaseAddress => http.BaseAddress!;

    public static string RecordPath(string @namespace, string key) =>
        $"/v1/kv/{Uri.EscapeDataString(@namespace)}/{string.Join('/', key.Split('/').Select(Uri.EscapeDataString))}";

    public static string ExplainPath(string @namespace, string key) =>
        $"/v1/explain/{Uri.EscapeDataString(@namespace)}/{string.Join('/', key.Split('/').Select(Uri.EscapeDataString))}";

    public Task<ApiAnswer> GetAsync(string @namespace, string key, CancellationToken cancellationToken) =>
        SendAsync(new HttpRequestMessage(HttpMethod.Get, RecordPath(@namespace, key)), cancellationToken);

    /// <summary><c>GET /v1/explain/{namespace}/{key}</c>, with <paramref name="context"/> as its <c>Causal-Context</c>
    /// when given (the least the read reflects and the context of the hypothetical write it reports on).</summary>
    public Task<ApiAnswer> ExplainAsync(string @namespace, string key, string? context, CancellationToken cancellationToken) =>
        SendAsync(WithWriteHeaders(new HttpRequestMessage(HttpMethod.Get, ExplainPath(@namespace, key)), context, overrideAll: false), cancellationToken);

    public Task<ApiAnswer> PutAsync(string @namespace, string key, string json, string? context, bool overrideAll, CancellationToken cancellationToken)
    {
        var request = new HttpRequestMessage(HttpMethod.Put, RecordPath(@namespace, key))
        {
            Content = new StringContent(json, Encoding.UTF8, "application/json"),
        };
        return SendAsync(WithWriteHeaders(request, context, overrideAll), cancellationToken);
    }

    public Task<ApiAnswer> DeleteAsync(string @namespace, string key, string? context, bool overrideAll, CancellationToken cancellationToken) =>
        SendAsync(WithWriteHeaders(new HttpRequestMessage(HttpMethod.Delete, RecordPath(@namespace, key)), context, overrideAll), cancellationToken);

    public Task<ApiAnswer> StatusAsync(CancellationToken cancellationToken) =>
        SendAsync(new HttpRequestMessage(HttpMethod.Get, "/v1/status"), cancellationToken);

    /// <summary>The admin resend (<c>POST /v1/replication/peers/{region}/resend</c>, empty body). The server accepts
    /// it from loopback callers when replication is unauthenticated; otherwise it must be signed with
    /// <c>Replication:Secret</c> (HMAC-SHA256 under an HKDF-derived key, as the replicator signs its batches).</summary>
    public Task<ApiAnswer> ResendAsync(string peer, CancellationToken cancellationToken)
    {
        var path = $"/v1/replication/peers/{Uri.EscapeDataString(peer)}/resend";
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new ByteArrayContent([]) };
        if (!string.IsNullOrEmpty(replicationSecret))
        {
            var timestamp = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            request.Headers.Add("X-Replication-Timestamp", timestamp.ToString(CultureInfo.InvariantCulture));
            request.Headers.Add("X-Replication-Signature", Sign(replicationSecret, "POST", path, timestamp));
        }

        return SendAsync(request, cancellationToken);
    }

    private static HttpRequestMessage WithWriteHeaders(HttpRequestMessage request, string? context, bool overrideAll)
    {
        if (context is not null)
        {
            request.Headers.TryAddWithoutValidation(ContextHeader, context);
        }

        if (overrideAll)
        {
            request.Headers.IfMatch.Add(EntityTagHeaderValue.Any);
        }

        return request;
    }

    private async Task<ApiAnswer> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        using (request)
        {
            using var response = await http.SendAsync(request, cancellationToken);
            var raw = await response.Content.ReadAsStringAsync(cancellationToken);
            JsonElement? body = null;
            if (raw.Length > 0)
            {
                try
                {
                    body = JsonDocument.Parse(raw).RootElement.Clone();
                }
                catch (JsonException)
                {
                    // Not JSON (a proxy's error page, say): kept raw.
                }
            }

            var context = response.Headers.TryGetValues(ContextHeader, out var values) ? values.FirstOrDefault() : null;
            return new ApiAnswer(response.StatusCode, body, context, raw);
        }
    }

    private static string Sign(string secret, string method, string path, long timestampMs)
    {
        var key = HKDF.DeriveKey(HashAlgorithmName.SHA256, Encoding.UTF8.GetBytes(secret), 32, salt: [], info: "orleans-causal/replication/v1"u8.ToArray());
        var mac = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes($"{method}\n{path}\n{timestampMs.ToString(CultureInfo.InvariantCulture)}\n"));
        return Convert.ToBase64String(mac).TrimEnd('=').Replace('+', '-').Replace('/', '_');
    }
}
