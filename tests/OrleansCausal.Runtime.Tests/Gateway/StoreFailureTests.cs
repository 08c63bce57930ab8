using System.Net;
using Orleans.Runtime;
using OrleansCausal.Runtime.Tests.Support;
using OrleansCausal.Storage;

namespace OrleansCausal.Runtime.Tests.Gateway;

/// <summary>The gateway's failure paths end to end (Kestrel, SQLite file behind a fault-injecting decorator): a store
/// failure is 503, anything unexpected is 500, both as problem details without internals, and nothing is written.</summary>
public sealed class StoreFailureTests
{
    private const string Path = "/v1/kv/default/faulty";
    private const string Internal = "at Npgsql.Internal password=hunter2";

    public static TheoryData<string, int, string?> Faults => new()
    {
        { "store", 503, "StoreUnavailable" },
        { "unexpected", 500, null },
    };

    private static Exception Fault(string kind) => kind == "store"
        ? new RecordStoreException("The store probe:sqlite is read-only.", new IOException(Internal))
        : new InvalidOperationException(Internal);

    [Theory]
    [MemberData(nameof(Faults))]
    public async Task Put_WhenStoreFails_ReturnsProblemAndWritesNothing(string kind, int status, string? error)
    {
        var (silo, probe) = await TestSilo.StartProbedAsync();
        await using var _ = silo;
        var before = await silo.Client.SendForRecordAsync(KvApi.Put(Path, "\"kept\""));
        var sequenceBefore = await probe.GetLastSequenceAsync(default);

        probe.WriteFault = _ => Fault(kind);
        var (code, body, context, response) = await silo.Client.SendRawAsync(KvApi.Put(Path, "\"lost\"", before.Context));
        using (response)
        {
            AssertProblem(kind, status, error, code, body, context, response);
        }

        probe.WriteFault = null;
        var after = await silo.Client.SendForRecordAsync(KvApi.Get(Path));
        Assert.Equal(["\"kept\""], after.SiblingValues);
        Assert.Equal(before.Dots, after.Dots);
        Assert.Equal(sequenceBefore, await probe.GetLastSequenceAsync(default));

        // The silo recovers: the next write succeeds and supersedes exactly the kept bin.
        var next = await silo.Client.SendForRecordAsync(KvApi.Put(Path, "\"next\"", after.Context));
        Assert.Equal(["\"next\""], next.SiblingValues);
        Assert.Equal(sequenceBefore + 1, await probe.GetLastSequenceAsync(default));
    }

    [Theory]
    [MemberData(nameof(Faults))]
    public async Task Get_WhenStoreFails_ReturnsProblem(string kind, int status, string? error)
    {
        var (silo, probe) = await TestSilo.StartProbedAsync();
        await using var _ = silo;
        probe.ReadFault = _ => Fault(kind);

        var (code, body, context, response) = await silo.Client.SendRawAsync(KvApi.Get(Path));
        using (response)
        {
            AssertProblem(kind, status, error, code, body, context, response);
        }
    }

    [Fact]
    public async Task Put_WhenASiloOfTheRegionIsUnreachable_Returns503WithRetryAfter()
    {
        var (silo, probe) = await TestSilo.StartProbedAsync();
        await using var _ = silo;
        probe.WriteFault = _ => new SiloUnavailableException("The silo holding this record is unreachable.");

        var (code, body, context, response) = await silo.Client.SendRawAsync(KvApi.Put(Path, "\"lost\""));
        using (response)
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, code);
            Assert.Equal("SiloUnavailable", body.GetProperty("error").GetString());
            Assert.Equal(TimeSpan.FromSeconds(1), response.Headers.RetryAfter?.Delta);
            Assert.Null(context);
        }

        probe.WriteFault = null;
        var (afterCode, _, _, afterResponse) = await silo.Client.SendRawAsync(KvApi.Get(Path));
        afterResponse.Dispose();
        Assert.Equal(HttpStatusCode.NotFound, afterCode);
    }

    private static void AssertProblem(
        string kind, int status, string? error, HttpStatusCode code, System.Text.Json.JsonElement body, string? context, HttpResponseMessage response)
    {
        var text = body.GetRawText();
        Assert.True(status == (int)code, $"{kind} fault: expected {status}, got {(int)code} {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(status, body.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrWhiteSpace(body.GetProperty("title").GetString()), text);
        Assert.Null(context);
        Assert.False(body.TryGetProperty("context", out _), text);
        Assert.False(body.TryGetProperty("value", out _), text);
        Assert.DoesNotContain("hunter2", text);
        Assert.DoesNotContain("Npgsql", text);
        if (error is not null)
        {
            Assert.Equal(error, body.GetProperty("error").GetString());
            Assert.Contains("read-only", body.GetProperty("detail").GetString());
        }
    }
}
