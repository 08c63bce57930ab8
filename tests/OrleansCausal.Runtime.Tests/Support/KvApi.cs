using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace OrleansCausal.Runtime.Tests.Support;

/// <summary>Small helpers for the /v1/kv API: requests with or without a Causal-Context, and typed responses.</summary>
public static class KvApi
{
    public const string ContextHeader = "Causal-Context";

    public static HttpRequestMessage Put(string path, string json, string? context = null, string contentType = "application/json")
    {
        var request = Request(HttpMethod.Put, path, context);
        request.Content = new StringContent(json, Encoding.UTF8);
        request.Content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        return request;
    }

    public static HttpRequestMessage Get(string path, string? context = null) => Request(HttpMethod.Get, path, context);

    public static HttpRequestMessage Delete(string path, string? context = null) => Request(HttpMethod.Delete, path, context);

    private static HttpRequestMessage Request(HttpMethod method, string path, string? context)
    {
        var request = new HttpRequestMessage(method, path);
        if (context is not null)
        {
            request.Headers.TryAddWithoutValidation(ContextHeader, context);
        }

        return request;
    }

    public static async Task<Record> SendForRecordAsync(this HttpClient client, HttpRequestMessage request, HttpStatusCode expected = HttpStatusCode.OK)
    {
        using var response = await client.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(expected == response.StatusCode, $"{request.Method} {request.RequestUri}: expected {expected}, got {(int)response.StatusCode} {body}");
        var record = JsonSerializer.Deserialize<Record>(body, JsonSerializerOptions.Web)!;
        Assert.Equal(record.Context, ContextOf(response));
        return record;
    }

    public static async Task<(HttpStatusCode Status, JsonElement Body, string? Context, HttpResponseMessage Response)> SendRawAsync(this HttpClient client, HttpRequestMessage request)
    {
        var response = await client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        var body = text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone();
        return (response.StatusCode, body, ContextOf(response), response);
    }

    public static string? ContextOf(HttpResponseMessage response) =>
        response.Headers.TryGetValues(ContextHeader, out var values) ? values.Single() : null;

    public sealed record Record(string Namespace, string Key, JsonElement? Value, IReadOnlyList<Sibling> Siblings, string Context)
    {
        public string[] SiblingValues => Siblings.Select(s => s.Value.GetRawText()).ToArray();

        public string[] Dots => Siblings.Select(s => s.Dot).ToArray();
    }

    public sealed record Sibling(JsonElement Value, string Dot, string Region, DateTimeOffset WrittenAt);
}
