using Microsoft.Extensions.DependencyInjection;
using OrleansCausal.Core;
using OrleansCausal.Runtime.Actors;
using OrleansCausal.Runtime.Records;
using OrleansCausal.Runtime.Tests.Support;
using OrleansCausal.Storage;

namespace OrleansCausal.Runtime.Tests.Actors;

/// <summary>
/// A record actor keeps its own write's result in the cache only when no other change can have slipped in: a read
/// after a write needs no store read, and a merge committed around the write (same group-commit batch before or
/// after it, or after the write's acknowledgement) is always visible to the next read.
/// </summary>
public sealed class ReadAfterWriteCacheTests
{
    private static readonly RecordKey K = new("default", "raw");

    private static string[] Values(RecordView view) => [.. view.Record.Siblings.Select(b => b.Value!).Order()];

    [Fact]
    public async Task Read_AfterOwnWrite_IsServedFromCacheWithoutStoreRead()
    {
        await using var runtime = await Runtime.StartAsync();
        var written = await runtime.Records.PutAsync(K, "\"v1\"", VersionVector.Empty, false, default);
        var overwritten = await runtime.Records.PutAsync(K, "\"v2\"", written.Context, false, default);
        var readsBefore = runtime.Probe.Reads;

        var blind = await runtime.Records.GetAsync(K, null, default);
        var session = await runtime.Records.GetAsync(K, overwritten.Context, default);

        Assert.Equal(readsBefore, runtime.Probe.Reads);
        Assert.Equal(["\"v2\""], Values(blind));
        Assert.Equal(["\"v2\""], Values(session));
        Assert.Equal(overwritten.Context, blind.Context);
    }

    [Fact]
    public async Task Merge_CommittedJustAfterTheWriteBeforeItsAcknowledgement_IsVisibleToNextRead()
    {
        // Same batch, merge applied after the put: the put's result lacks the merged bin and two notices arrive.
        await using var runtime = await Runtime.StartAsync();
        var remote = RemoteBins.Next(K, "\"remote\"");
        runtime.Probe.AfterPut = _ => RemoteBins.MergeAsync(runtime.Probe.Inner, remote);

        var written = await runtime.Records.PutAsync(K, "\"local\"", VersionVector.Empty, false, default);
        var readsBefore = runtime.Probe.Reads;
        var read = await runtime.Records.GetAsync(K, null, default);

        Assert.Equal(["\"local\""], Values(written));
        Assert.Equal(["\"local\"", "\"remote\""], Values(read));
        Assert.Equal(readsBefore + 1, runtime.Probe.Reads);
    }

    [Fact]
    public async Task Merge_CommittedJustBeforeTheWriteInTheSameBatch_IsVisibleToNextRead()
    {
        // Same batch, merge applied first: the put's result already holds the merged bin; the extra notice makes the
        // actor drop the cache anyway, and the next read sees both bins.
        await using var runtime = await Runtime.StartAsync();
        var remote = RemoteBins.Next(K, "\"remote\"");
        runtime.Probe.BeforePut = _ => RemoteBins.MergeAsync(runtime.Probe.Inner, remote);

        await runtime.Records.PutAsync(K, "\"local\"", VersionVector.Empty, false, default);
        var read = await runtime.Records.GetAsync(K, null, default);

        Assert.Equal(["\"local\"", "\"remote\""], Values(read));
        Assert.True(read.Context.Covers(remote.Bin.Dot), $"context {read.Context} misses {remote.Bin.Dot}");
    }

    [Fact]
    public async Task Merge_BetweenWriteAndRead_IsVisibleToNextRead()
    {
        await using var runtime = await Runtime.StartAsync();
        var written = await runtime.Records.PutAsync(K, "\"local\"", VersionVector.Empty, false, default);
        var actor = await runtime.Actors.UseAsync(K, (a, _) => Task.FromResult(a), default);
        var cachedAfterWrite = actor.IsCached;

        await RemoteBins.MergeAsync(runtime.Probe.Inner, RemoteBins.Next(K, "\"remote\""));
        var read = await runtime.Records.GetAsync(K, written.Context, default);

        Assert.True(cachedAfterWrite, "the write's own result was not cached");
        Assert.Equal(["\"local\"", "\"remote\""], Values(read));
    }

    [Fact]
    public async Task Write_WhoseOwnNoticeNeverArrives_IsNotCached()
    {
        // A store (or a silo) that drops notices: "exactly one notice" never holds, so nothing is trusted.
        await using var runtime = await Runtime.StartAsync(forwardNotices: false);

        await runtime.Records.PutAsync(K, "\"v1\"", VersionVector.Empty, false, default);
        var readsBefore = runtime.Probe.Reads;
        await runtime.Records.GetAsync(K, null, default);

        Assert.Equal(readsBefore + 1, runtime.Probe.Reads);
    }

    /// <summary>The runtime over a probed in-memory store, with a cache age long enough never to expire in a test.</summary>
    private sealed class Runtime(ProbeStore probe, ServiceProvider services) : IAsyncDisposable
    {
        public ProbeStore Probe => probe;

        public RecordService Records { get; } = services.GetRequiredService<RecordService>();

        public RecordActorDirectory Actors { get; } = services.GetRequiredService<RecordActorDirectory>();

        public static async Task<Runtime> StartAsync(bool forwardNotices = true)
        {
            var probe = new ProbeStore(await InMemoryStores.OpenAsync(), forwardNotices);
            return new Runtime(probe, RuntimeHost.Create(probe, new Dictionary<string, string?> { ["Actors:MaxCacheAge"] = "00:10:00" }));
        }

        public ValueTask DisposeAsync() => services.DisposeAsync();
    }
}
