using System.Net;
using System.Text.Json;
using OrleansCausal.Runtime.Tests.Support;
using static OrleansCausal.Runtime.Tests.Support.KvApi;

namespace OrleansCausal.Runtime.Tests.Gateway;

/// <summary>DESIGN.md §3 over real HTTP: every endpoint, status code and error of /v1/kv.</summary>
public sealed class KvEndpointTests : IAsyncLifetime
{
    private TestSilo _silo = null!;

    private HttpClient Http => _silo.Client;

    public async Task InitializeAsync() => _silo = await TestSilo.StartAsync(new Dictionary<string, string?>
    {
        ["Namespaces:seats:Resolver"] = "lww",
        ["Namespaces:capped:MaxSiblings"] = "2",
        ["Limits:MaxValueBytes"] = "1024",
        ["Limits:MaxJsonDepth"] = "4",
        ["Limits:MaxKeyLength"] = "64",
    });

    public async Task DisposeAsync() => await _silo.DisposeAsync();

    [Fact]
    public async Task Put_WhenRecordIsNew_Returns200WithValueOneSiblingAndContextHeader()
    {
        var record = await Http.SendForRecordAsync(Put("/v1/kv/seats/p1", """{"seat":"12F"}"""));

        Assert.Equal("seats", record.Namespace);
        Assert.Equal("p1", record.Key);
        Assert.Equal("""{"seat":"12F"}""", record.Value!.Value.GetRawText());
        var sibling = Assert.Single(record.Siblings);
        Assert.Equal("A", sibling.Region);
        Assert.StartsWith("A.", sibling.Dot);
        Assert.EndsWith(".1", sibling.Dot);
        Assert.False(string.IsNullOrEmpty(record.Context));
    }

    [Fact]
    public async Task Get_AfterPut_ReturnsSameRecordAndContext()
    {
        var written = await Http.SendForRecordAsync(Put("/v1/kv/seats/p2", "\"10D\""));
        var read = await Http.SendForRecordAsync(Get("/v1/kv/seats/p2"));

        Assert.Equal(written.Dots, read.Dots);
        Assert.Equal("\"10D\"", read.Value!.Value.GetRawText());
        Assert.Equal(written.Context, read.Context);
    }

    [Fact]
    public async Task Get_WhenNeverWritten_Returns404ProblemWithoutContextHeader()
    {
        var (status, body, context, response) = await Http.SendRawAsync(Get("/v1/kv/seats/nobody"));

        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(404, body.GetProperty("status").GetInt32());
        Assert.Equal("NotFound", body.GetProperty("error").GetString());
        Assert.False(body.TryGetProperty("context", out _));
        Assert.Null(context);
    }

    [Fact]
    public async Task Delete_Returns204WithContext_ThenGetIs404WithContextHeader()
    {
        var written = await Http.SendForRecordAsync(Put("/v1/kv/seats/p3", "\"5C\""));

        var (deleteStatus, _, deleteContext, _) = await Http.SendRawAsync(Delete("/v1/kv/seats/p3", written.Context));
        var (getStatus, body, getContext, _) = await Http.SendRawAsync(Get("/v1/kv/seats/p3"));

        Assert.Equal(HttpStatusCode.NoContent, deleteStatus);
        Assert.NotNull(deleteContext);
        Assert.Equal(HttpStatusCode.NotFound, getStatus);
        Assert.Equal(deleteContext, getContext);
        Assert.Equal(deleteContext, body.GetProperty("context").GetString());
    }

    [Fact]
    public async Task Put_WithContextFromDeletedRecord_SupersedesTombstone()
    {
        var written = await Http.SendForRecordAsync(Put("/v1/kv/seats/p4", "\"1A\""));
        var (_, _, deleted, _) = await Http.SendRawAsync(Delete("/v1/kv/seats/p4", written.Context));
        var (getStatus, _, afterDelete, _) = await Http.SendRawAsync(Get("/v1/kv/seats/p4"));

        var rewritten = await Http.SendForRecordAsync(Put("/v1/kv/seats/p4", "\"2B\"", afterDelete));

        Assert.Equal(HttpStatusCode.NotFound, getStatus);
        Assert.Equal(deleted, afterDelete);
        var sibling = Assert.Single(rewritten.Siblings);
        Assert.Equal("\"2B\"", sibling.Value.GetRawText());
        Assert.EndsWith(".3", sibling.Dot);
    }

    [Fact]
    public async Task Delete_WithoutContext_LeavesLiveSiblingAndReturns204()
    {
        await Http.SendForRecordAsync(Put("/v1/kv/seats/p5", "\"7E\""));

        var (status, _, _, _) = await Http.SendRawAsync(Delete("/v1/kv/seats/p5"));
        var read = await Http.SendForRecordAsync(Get("/v1/kv/seats/p5"));

        Assert.Equal(HttpStatusCode.NoContent, status);
        Assert.Equal(["\"7E\""], read.SiblingValues);
    }

    [Fact]
    public async Task Put_WithTamperedContext_Returns400AndWritesNothing()
    {
        var written = await Http.SendForRecordAsync(Put("/v1/kv/seats/p6", "\"12F\""));
        await Http.SendForRecordAsync(Put("/v1/kv/seats/p6", "\"10D\""));
        var before = await Http.SendForRecordAsync(Get("/v1/kv/seats/p6"));
        var token = written.Context.ToCharArray();
        token[3] = token[3] == 'A' ? 'B' : 'A';

        var (status, body, _, _) = await Http.SendRawAsync(Put("/v1/kv/seats/p6", "\"1A\"", new string(token)));
        var (deleteStatus, _, _, _) = await Http.SendRawAsync(Delete("/v1/kv/seats/p6", new string(token)));
        var after = await Http.SendForRecordAsync(Get("/v1/kv/seats/p6"));

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal(HttpStatusCode.BadRequest, deleteStatus);
        Assert.Equal("InvalidContext", body.GetProperty("error").GetString());
        Assert.Contains("Causal-Context", body.GetProperty("detail").GetString());
        Assert.Equal(before.Dots, after.Dots);
        Assert.Equal(before.Context, after.Context);
    }

    [Theory]
    [InlineData("not-a-token!")]
    [InlineData("AAAA")]
    [InlineData("")]
    public async Task Get_WithMalformedContext_Returns400(string token)
    {
        await Http.SendForRecordAsync(Put("/v1/kv/seats/p7", "\"3C\""));

        var (status, body, _, _) = await Http.SendRawAsync(Get("/v1/kv/seats/p7", token));

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("Invalid causal context", body.GetProperty("title").GetString());
    }

    [Fact]
    public async Task Put_WithContextIssuedForAnotherKey_Returns400AndWritesNothing()
    {
        var other = await Http.SendForRecordAsync(Put("/v1/kv/seats/other", "\"9Z\""));
        await Http.SendForRecordAsync(Put("/v1/kv/seats/p8", "\"1A\""));

        var (status, _, _, _) = await Http.SendRawAsync(Put("/v1/kv/seats/p8", "\"2B\"", other.Context));
        var after = await Http.SendForRecordAsync(Get("/v1/kv/seats/p8"));

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal(["\"1A\""], after.SiblingValues);
    }

    [Fact]
    public async Task Put_WithIfMatchStar_SupersedesEverySibling()
    {
        await Http.SendForRecordAsync(Put("/v1/kv/seats/p9", "\"1A\""));
        await Http.SendForRecordAsync(Put("/v1/kv/seats/p9", "\"2B\""));
        var request = Put("/v1/kv/seats/p9", "\"3C\"");
        request.Headers.TryAddWithoutValidation("If-Match", "*");

        var record = await Http.SendForRecordAsync(request);

        Assert.Equal(["\"3C\""], record.SiblingValues);
    }

    [Fact]
    public async Task Put_WithIfMatchEtag_Returns400AndWritesNothing()
    {
        var request = Put("/v1/kv/seats/p10", "\"3C\"");
        request.Headers.TryAddWithoutValidation("If-Match", "\"abc\"");

        var (status, _, _, _) = await Http.SendRawAsync(request);
        var (getStatus, _, _, _) = await Http.SendRawAsync(Get("/v1/kv/seats/p10"));

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal(HttpStatusCode.NotFound, getStatus);
    }

    [Theory]
    [InlineData("{\"seat\":", HttpStatusCode.BadRequest, "InvalidJson")]
    [InlineData("", HttpStatusCode.BadRequest, "InvalidJson")]
    [InlineData("1 2", HttpStatusCode.BadRequest, "InvalidJson")]
    [InlineData("[[[[[1]]]]]", HttpStatusCode.BadRequest, "JsonTooDeep")]
    public async Task Put_WithBadJson_IsRefusedAndWritesNothing(string body, HttpStatusCode expected, string error)
    {
        var key = "bad-" + Guid.NewGuid().ToString("N");

        var (status, problem, _, _) = await Http.SendRawAsync(Put($"/v1/kv/seats/{key}", body));
        var (getStatus, _, getContext, _) = await Http.SendRawAsync(Get($"/v1/kv/seats/{key}"));

        Assert.Equal(expected, status);
        Assert.Equal(error, problem.GetProperty("error").GetString());
        Assert.Equal(HttpStatusCode.NotFound, getStatus);
        Assert.Null(getContext);
    }

    [Fact]
    public async Task Put_AtDepthLimit_IsAccepted()
    {
        var record = await Http.SendForRecordAsync(Put("/v1/kv/seats/deep", "[[[[1]]]]"));

        Assert.Equal("[[[[1]]]]", record.Value!.Value.GetRawText());
    }

    [Fact]
    public async Task Put_WhenValueTooLarge_Returns413AndWritesNothing()
    {
        var big = JsonSerializer.Serialize(new string('x', 2000));

        var (status, problem, _, _) = await Http.SendRawAsync(Put("/v1/kv/seats/big", big));
        var (getStatus, _, _, _) = await Http.SendRawAsync(Get("/v1/kv/seats/big"));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, status);
        Assert.Equal("ValueTooLarge", problem.GetProperty("error").GetString());
        Assert.Equal(HttpStatusCode.NotFound, getStatus);
    }

    [Fact]
    public async Task Put_WithNonJsonContentType_Returns415()
    {
        var (status, problem, _, _) = await Http.SendRawAsync(Put("/v1/kv/seats/text", "\"x\"", contentType: "text/plain"));

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, status);
        Assert.Equal(415, problem.GetProperty("status").GetInt32());
    }

    [Fact]
    public async Task Request_WhenKeyTooLong_Returns400()
    {
        var key = new string('k', 65);

        var (putStatus, problem, _, _) = await Http.SendRawAsync(Put($"/v1/kv/seats/{key}", "1"));
        var (getStatus, _, _, _) = await Http.SendRawAsync(Get($"/v1/kv/seats/{key}"));

        Assert.Equal(HttpStatusCode.BadRequest, putStatus);
        Assert.Equal("InvalidKey", problem.GetProperty("error").GetString());
        Assert.Equal(HttpStatusCode.BadRequest, getStatus);
    }

    [Fact]
    public async Task Request_WhenNamespaceUnknown_Returns404ProblemNamingTheSwitch()
    {
        var (status, problem, _, _) = await Http.SendRawAsync(Put("/v1/kv/unknown-ns/k", "1"));

        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.Equal("UnknownNamespace", problem.GetProperty("error").GetString());
        Assert.Contains("Namespaces:Open", problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Request_WhenNamespaceNameInvalid_Returns400()
    {
        var (status, problem, _, _) = await Http.SendRawAsync(Get("/v1/kv/Bad%20Name/k"));

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("InvalidNamespace", problem.GetProperty("error").GetString());
    }

    [Fact]
    public async Task DefaultNamespace_AlwaysExists()
    {
        var record = await Http.SendForRecordAsync(Put("/v1/kv/default/k", "true"));

        Assert.Equal("true", record.Value!.Value.GetRawText());
    }

    [Fact]
    public async Task Key_WithSlashes_IsOneRecord()
    {
        await Http.SendForRecordAsync(Put("/v1/kv/seats/flight/LH400/row-12", "\"F\""));
        var read = await Http.SendForRecordAsync(Get("/v1/kv/seats/flight/LH400/row-12"));

        Assert.Equal("flight/LH400/row-12", read.Key);
    }

    [Fact]
    public async Task Put_PastSiblingCap_PrunesOldestAndKeepsItCovered()
    {
        var first = await Http.SendForRecordAsync(Put("/v1/kv/capped/k", "1"));
        await Http.SendForRecordAsync(Put("/v1/kv/capped/k", "2"));

        var third = await Http.SendForRecordAsync(Put("/v1/kv/capped/k", "3"));
        var fourth = await Http.SendForRecordAsync(Put("/v1/kv/capped/k", "4", first.Context));

        Assert.Equal(["2", "3"], third.SiblingValues);
        Assert.Equal(["3", "4"], fourth.SiblingValues.Order().ToArray());
    }

    [Fact]
    public async Task UnknownRoute_Returns404Problem()
    {
        var (status, problem, _, response) = await Http.SendRawAsync(Get("/v2/nothing"));

        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(404, problem.GetProperty("status").GetInt32());
    }
}
