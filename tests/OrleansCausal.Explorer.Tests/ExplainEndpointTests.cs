using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using OrleansCausal.Explorer.Tests.Support;
using OrleansCausal.Tests.Shared;

namespace OrleansCausal.Explorer.Tests;

/// <summary><c>GET /v1/explain/...</c>, <c>GET /v1/diagnostics/siblings</c> and <c>GET /explorer</c> over real HTTP.</summary>
public sealed class ExplainEndpointTests : IAsyncLifetime
{
    private LoopbackSilo _silo = null!;

    public async Task InitializeAsync() => _silo = await LoopbackSilo.StartAsync(ExplorerPageTests.SigningKey);

    public async Task DisposeAsync()
    {
        if (_silo is not null)
        {
            await _silo.DisposeAsync();
        }
    }

    [Fact]
    public async Task Explain_WhenTwoBlindWritesOnAKeyWithSlashes_ExplainsBothBinsAndTheirPair()
    {
        var first = await PutAsync("default", "flight/LH400/42", "\"12F\"");
        await PutAsync("default", "flight/LH400/42", "\"10D\"");

        using var response = await _silo.Client.GetAsync("/v1/explain/default/flight/LH400/42");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(response.Headers.Contains("Causal-Context"));
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("flight/LH400/42", body.GetProperty("key").GetString());
        Assert.Equal("lww", body.GetProperty("resolver").GetString());
        var bins = body.GetProperty("bins").EnumerateArray().ToArray();
        Assert.Equal(["\"12F\"", "\"10D\""], bins.Select(b => b.GetProperty("value").GetRawText()));
        Assert.All(bins, b => Assert.False(b.GetProperty("tombstone").GetBoolean()));
        Assert.All(bins, b => Assert.Empty(b.GetProperty("context").EnumerateArray()));
        var pair = Assert.Single(body.GetProperty("pairs").EnumerateArray());
        Assert.True(pair.GetProperty("concurrent").GetBoolean());
        Assert.Equal(0ul, pair.GetProperty("firstMissesSecond").GetProperty("seen").GetUInt64());
        Assert.Equal(2ul, pair.GetProperty("firstMissesSecond").GetProperty("needed").GetUInt64());
        var write = body.GetProperty("write");
        Assert.Equal(2, write.GetProperty("supersedes").GetArrayLength());
        Assert.Equal(0, write.GetProperty("keeps").GetArrayLength());
        Assert.EndsWith(".3", write.GetProperty("nextDot").GetString(), StringComparison.Ordinal);
        Assert.Equal("\"10D\"", body.GetProperty("choice").GetProperty("value").GetRawText());
        Assert.Contains("accepted", body.GetProperty("choice").GetProperty("reason").GetString(), StringComparison.Ordinal);

        // With the first writer's context (it saw only 12F), a write would supersede 12F and keep 10D.
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/explain/default/flight/LH400/42");
        request.Headers.Add("Causal-Context", first);
        using var withContext = await _silo.Client.SendAsync(request);
        var stale = JsonDocument.Parse(await withContext.Content.ReadAsStringAsync()).RootElement.GetProperty("write");
        Assert.Equal(1, stale.GetProperty("supersedes").GetArrayLength());
        Assert.Equal(1, stale.GetProperty("keeps").GetArrayLength());
    }

    [Fact]
    public async Task Explain_WhenTheRecordWasNeverWritten_AnswersAnEmptyExplanation()
    {
        using var response = await _silo.Client.GetAsync("/v1/explain/default/nobody");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(JsonValueKind.Null, body.GetProperty("context").ValueKind);
        Assert.Equal(0, body.GetProperty("bins").GetArrayLength());
        Assert.Equal(JsonValueKind.Null, body.GetProperty("choice").GetProperty("dot").ValueKind);
    }

    [Theory]
    [InlineData("/v1/explain/unknown-ns/k", HttpStatusCode.NotFound, "UnknownNamespace")]
    [InlineData("/v1/explain/Bad%20NS/k", HttpStatusCode.BadRequest, "InvalidNamespace")]
    [InlineData("/v1/explain/default/a%01b", HttpStatusCode.BadRequest, "InvalidKey")]
    public async Task Explain_WhenTheNamespaceOrKeyIsRefused_AnswersTheSameProblemAsKv(string path, HttpStatusCode status, string error)
    {
        using var response = await _silo.Client.GetAsync(path);

        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(error, body.GetProperty("error").GetString());
    }

    [Fact]
    public async Task Explain_WhenTheContextIsTampered_Answers400InvalidContext()
    {
        var token = await PutAsync("default", "k", "1");
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/explain/default/k");
        request.Headers.Add("Causal-Context", token + "x");

        using var response = await _silo.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("InvalidContext", JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("error").GetString());
    }

    [Fact]
    public async Task Diagnostics_AfterBlindWrites_ListsTheKeyWithItsSiblingCount()
    {
        await PutAsync("default", "busy", "1");
        await PutAsync("default", "busy", "2");
        await PutAsync("default", "busy", "3");
        var resolved = await PutAsync("default", "calm", "1");
        await PutAsync("default", "calm", "2", resolved);

        var body = JsonDocument.Parse(await _silo.Client.GetStringAsync("/v1/diagnostics/siblings")).RootElement;

        Assert.Equal("A", body.GetProperty("region").GetString());
        Assert.Equal(20, body.GetProperty("topKeys").GetInt32());
        var ns = Assert.Single(body.GetProperty("namespaces").EnumerateArray());
        Assert.Equal("default", ns.GetProperty("namespace").GetString());
        Assert.Equal(5, ns.GetProperty("writes").GetInt64());
        Assert.Equal(0, ns.GetProperty("pruned").GetInt64());
        var top = Assert.Single(ns.GetProperty("keys").EnumerateArray());
        Assert.Equal("busy", top.GetProperty("key").GetString());
        Assert.Equal(3, top.GetProperty("siblings").GetInt32());
    }

    [Fact]
    public async Task Explorer_ServesOneSelfContainedPage()
    {
        using var response = await _silo.Client.GetAsync("/explorer");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("default-src 'none'", response.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
        var html = await response.Content.ReadAsStringAsync();
        Assert.DoesNotContain("http://", html.Replace("http://www.w3.org/2000/svg", "", StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.DoesNotContain("https://", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OpenApi_DocumentsTheExplainAndDiagnosticsOperations()
    {
        var document = await _silo.Client.GetStringAsync("/openapi/v1.json");

        Assert.Contains("\"ExplainRecord\"", document, StringComparison.Ordinal);
        Assert.Contains("\"GetSiblingDiagnostics\"", document, StringComparison.Ordinal);
        Assert.Contains("ExplainResponse", document, StringComparison.Ordinal);
    }

    /// <summary>PUT a JSON value (with a context token when given); returns the context token of the answer.</summary>
    private async Task<string> PutAsync(string ns, string key, string json, string? context = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Put, $"/v1/kv/{ns}/{key}");
        request.Content = new StringContent(json, Encoding.UTF8);
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        if (context is not null)
        {
            request.Headers.Add("Causal-Context", context);
        }

        using var response = await _silo.Client.SendAsync(request);
        response.EnsureSuccessStatusCode();
        return response.Headers.GetValues("Causal-Context").Single();
    }
}
