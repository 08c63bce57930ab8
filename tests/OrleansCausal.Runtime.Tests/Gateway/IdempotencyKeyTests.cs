using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OrleansCausal.Core;
using OrleansCausal.Runtime.Client;
using OrleansCausal.Runtime.Records;
using OrleansCausal.Runtime.Tests.Support;
using OrleansCausal.Storage;

namespace OrleansCausal.Runtime.Tests.Gateway;

/// <summary>
/// <c>Idempotency-Key</c> on PUT and DELETE over real HTTP (issue #16): a replay is answered with the record as it
/// stands and <c>Idempotency-Replayed: true</c>, writes nothing and is counted in <c>/v1/status</c>; a PUT retried
/// after a lost COMMIT leaves one bin; a bad key is a 400 problem and writes nothing; the window is respected; reads
/// group equal siblings under <c>values</c>.
/// </summary>
public sealed class IdempotencyKeyTests : IAsyncLifetime
{
    private const string KeyHeader = "Idempotency-Key";
    private const string ReplayedHeader = "Idempotency-Replayed";

    private TestSilo _silo = null!;
    private ProbeStore _probe = null!;

    private HttpClient Http => _silo.Client;

    public async Task InitializeAsync() =>
        (_silo, _probe) = await TestSilo.StartProbedAsync(new Dictionary<string, string?> { ["Idempotency:MaxOperations"] = "3" });

    public async Task DisposeAsync() => await _silo.DisposeAsync();

    [Fact]
    public async Task Put_RetriedWithTheSameKey_IsAnsweredAsAReplay_AndWritesNothing()
    {
        var first = await SendAsync(Keyed(KvApi.Put("/v1/kv/default/retry-1", "\"10D\""), "msg-1"));
        var sequence = await _probe.GetLastSequenceAsync(default);
        var replaysBefore = await ReplayedWritesAsync();

        var again = await SendAsync(Keyed(KvApi.Put("/v1/kv/default/retry-1", "\"10D\""), "msg-1"));

        Assert.False(first.Replayed);
        Assert.True(again.Replayed);
        Assert.Equal(first.Record.Dots, again.Record.Dots);
        Assert.Equal(first.Record.Context, again.Record.Context);
        Assert.Equal(sequence, await _probe.GetLastSequenceAsync(default));
        Assert.Equal(replaysBefore + 1, await ReplayedWritesAsync());
    }

    [Fact]
    public async Task Put_WithAKeyOfAnOverwrittenOperation_IsStillAReplay()
    {
        var first = await SendAsync(Keyed(KvApi.Put("/v1/kv/default/retry-2", "\"12F\""), "browser-1"));
        var overwrite = await Http.SendForRecordAsync(KvApi.Put("/v1/kv/default/retry-2", "\"10F\"", first.Record.Context));

        // A late retry of the first request must not bring 12F back beside 10F.
        var late = await SendAsync(Keyed(KvApi.Put("/v1/kv/default/retry-2", "\"12F\""), "browser-1"));

        Assert.True(late.Replayed);
        Assert.Equal(["\"10F\""], late.Record.SiblingValues);
        Assert.Equal(overwrite.Dots, late.Record.Dots);
    }

    [Fact]
    public async Task Put_RetriedAfterALostCommit_LeavesOneBin()
    {
        const string path = "/v1/kv/default/lost-commit";
        var sequence = await _probe.GetLastSequenceAsync(default);

        // The store commits, but the answer never reaches the silo (a connection lost after COMMIT).
        _probe.AfterWrite = _ => throw new RecordStoreException("The connection to the store was lost after COMMIT.");
        HttpStatusCode lostStatus;
        try
        {
            var (status, _, _, response) = await Http.SendRawAsync(Keyed(KvApi.Put(path, "\"10D\""), "phone-42"));
            response.Dispose();
            lostStatus = status;
        }
        finally
        {
            _probe.AfterWrite = null;
        }

        var retry = await SendAsync(Keyed(KvApi.Put(path, "\"10D\""), "phone-42"));
        var read = await Http.SendForRecordAsync(KvApi.Get(path));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, lostStatus);
        Assert.True(retry.Replayed);
        Assert.Single(read.Siblings);
        Assert.Equal(sequence + 1, await _probe.GetLastSequenceAsync(default));
    }

    [Fact]
    public async Task Put_RetriedAfterALostCommit_WithoutAKey_AddsASibling()
    {
        // The control: the same failure without an Idempotency-Key leaves the duplicate the issue describes.
        const string path = "/v1/kv/default/lost-commit-unkeyed";
        _probe.AfterWrite = _ => throw new RecordStoreException("The connection to the store was lost after COMMIT.");
        try
        {
            (await Http.SendRawAsync(KvApi.Put(path, "\"10D\""))).Response.Dispose();
        }
        finally
        {
            _probe.AfterWrite = null;
        }

        await Http.SendForRecordAsync(KvApi.Put(path, "\"10D\""));
        var read = await Http.SendForRecordAsync(KvApi.Get(path));

        Assert.Equal(2, read.Siblings.Count);
    }

    [Fact]
    public async Task Delete_RetriedWithTheSameKey_IsA204Replay()
    {
        var written = await Http.SendForRecordAsync(KvApi.Put("/v1/kv/default/cancel", "\"5C\""));
        var (status1, _, _, first) = await Http.SendRawAsync(Keyed(KvApi.Delete("/v1/kv/default/cancel", written.Context), "cancel-1"));
        var sequence = await _probe.GetLastSequenceAsync(default);
        var (status2, _, _, second) = await Http.SendRawAsync(Keyed(KvApi.Delete("/v1/kv/default/cancel", written.Context), "cancel-1"));

        Assert.Equal(HttpStatusCode.NoContent, status1);
        Assert.Equal(HttpStatusCode.NoContent, status2);
        Assert.False(first.Headers.Contains(ReplayedHeader));
        Assert.Equal("true", second.Headers.GetValues(ReplayedHeader).Single());
        Assert.Equal(sequence, await _probe.GetLastSequenceAsync(default));
        first.Dispose();
        second.Dispose();
    }

    [Theory]
    [InlineData("")]
    [InlineData("del\u007fchar")]
    [InlineData("tab\tinside")]
    [InlineData("x129")]
    public async Task Put_WithAnInvalidKey_Is400ProblemAndWritesNothing(string key)
    {
        var id = key == "x129" ? new string('x', 129) : key;
        var sequence = await _probe.GetLastSequenceAsync(default);
        var request = KvApi.Put("/v1/kv/default/bad-key", "\"1A\"");
        request.Headers.TryAddWithoutValidation(KeyHeader, id);

        var (status, body, _, response) = await Http.SendRawAsync(request);
        response.Dispose();

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("InvalidOperationId", body.GetProperty("error").GetString());
        Assert.Contains("Idempotency-Key", body.GetProperty("detail").GetString());
        Assert.Equal(sequence, await _probe.GetLastSequenceAsync(default));
        var (readStatus, _, _, read) = await Http.SendRawAsync(KvApi.Get("/v1/kv/default/bad-key"));
        read.Dispose();
        Assert.Equal(HttpStatusCode.NotFound, readStatus);
    }

    [Fact]
    public async Task Put_OfAKeyOlderThanTheWindow_IsAppliedAgain()
    {
        // Idempotency:MaxOperations is 3: after three newer operations on the record, the first one is forgotten.
        const string path = "/v1/kv/default/window";
        var first = await SendAsync(Keyed(KvApi.Put(path, "\"v0\""), "op-0"));
        var context = first.Record.Context;
        for (var i = 1; i <= 3; i++)
        {
            context = (await SendAsync(Keyed(KvApi.Put(path, $"\"v{i}\"", context), $"op-{i}"))).Record.Context;
        }

        var newest = await SendAsync(Keyed(KvApi.Put(path, "\"v3\"", context), "op-3"));
        var forgotten = await SendAsync(Keyed(KvApi.Put(path, "\"v0\"", first.Record.Context), "op-0"));

        Assert.True(newest.Replayed);
        Assert.False(forgotten.Replayed);
        Assert.Equal(["\"v0\"", "\"v3\""], forgotten.Record.SiblingValues.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Get_WithEqualSiblings_ListsEachValueOnceWithItsDots()
    {
        const string path = "/v1/kv/default/equal";
        foreach (var seat in new[] { "\"10D\"", "\"10D\"", "\"10D\"", "\"10F\"" })
        {
            await Http.SendForRecordAsync(KvApi.Put(path, seat));
        }

        using var response = await Http.GetAsync(path);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var values = body.RootElement.GetProperty("values").EnumerateArray()
            .Select(v => (v.GetProperty("value").GetRawText(), v.GetProperty("dots").GetArrayLength()))
            .ToArray();

        Assert.Equal(4, body.RootElement.GetProperty("siblings").GetArrayLength());
        Assert.Equal([("\"10D\"", 3), ("\"10F\"", 1)], values);
    }

    [Fact]
    public async Task Get_WhenAnotherRegionAcceptedTheSameOperation_ShowsOneCopy_AndExplainMarksTheOther()
    {
        const string path = "/v1/kv/default/two-regions";
        var local = await SendAsync(Keyed(KvApi.Put(path, "\"10D\""), "queue-msg-1"));
        var remote = RemoteBins.Next(new RecordKey("default", "two-regions"), "\"10D\"");
        await RemoteBins.MergeAsync(_probe.Inner, remote with
        {
            Bin = new Bin(remote.Bin.Dot, remote.Bin.Value, remote.Bin.Context, remote.Bin.WrittenAt, operationId: "queue-msg-1"),
        });

        var read = await Http.SendForRecordAsync(KvApi.Get(path, local.Record.Context));
        using var explain = JsonDocument.Parse(await Http.GetStringAsync("/v1/explain/default/two-regions"));
        var bins = explain.RootElement.GetProperty("bins").EnumerateArray()
            .ToDictionary(b => b.GetProperty("dot").GetString()!, b => b.TryGetProperty("hidden", out var hidden) && hidden.GetBoolean());

        // Region A sorts before region B: the local copy is the one shown.
        Assert.Equal(local.Record.Dots, read.Dots);
        Assert.Equal(2, bins.Count);
        Assert.False(bins[local.Record.Dots[0]]);
        Assert.True(bins[remote.Bin.Dot.ToString()]);
        Assert.True((await SendAsync(Keyed(KvApi.Put(path, "\"10D\""), "queue-msg-1"))).Replayed);
    }

    [Theory]
    [InlineData("Idempotency:MaxOperations", "0")]
    [InlineData("Idempotency:MaxAge", "00:00:00")]
    public async Task Start_WithAnInvalidIdempotencySetting_FailsNamingIt(string key, string value)
    {
        var error = await Assert.ThrowsAsync<OptionsValidationException>(async () =>
        {
            await using var app = TestSilo.Build(new Dictionary<string, string?> { [key] = value });
            await app.StartAsync();
        });

        Assert.Contains(key, error.Message);
    }

    [Fact]
    public async Task InProcessClient_WithAnOperationId_ReplaysLikeTheHeader()
    {
        var client = _silo.Services.GetRequiredService<ICausalClient>().As("queue-worker");

        var first = await client.PutAsync("default", "in-process", "10D", operationId: "queue-msg-9");
        var again = await client.PutAsync("default", "in-process", "10D", operationId: "queue-msg-9");
        var deleted = await client.DeleteAsync("default", "in-process", again.Context, operationId: "queue-msg-10");
        var deletedAgain = await client.DeleteAsync("default", "in-process", again.Context, operationId: "queue-msg-10");

        Assert.False(first.Replayed);
        Assert.True(again.Replayed);
        Assert.Equal(first.Siblings.Select(s => s.Dot), again.Siblings.Select(s => s.Dot));
        Assert.Equal(deleted.ToString(), deletedAgain.ToString());
        await Assert.ThrowsAsync<RecordRequestException>(() => client.PutAsync("default", "in-process", "x", operationId: new string('k', 129)));
    }

    private static HttpRequestMessage Keyed(HttpRequestMessage request, string key)
    {
        request.Headers.TryAddWithoutValidation(KeyHeader, key);
        return request;
    }

    private async Task<(KvApi.Record Record, bool Replayed)> SendAsync(HttpRequestMessage request)
    {
        using var response = await Http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{request.Method} {request.RequestUri}: {(int)response.StatusCode} {text}");
        var replayed = response.Headers.TryGetValues(ReplayedHeader, out var values) && values.Single() == "true";
        return (JsonSerializer.Deserialize<KvApi.Record>(text, JsonSerializerOptions.Web)!, replayed);
    }

    private async Task<long> ReplayedWritesAsync() =>
        (await Http.GetFromJsonAsync<JsonElement>("/v1/status", JsonSerializerOptions.Web)).GetProperty("replayedWrites").GetInt64();
}
