using Microsoft.Extensions.DependencyInjection;
using OrleansCausal.Core;
using OrleansCausal.Runtime.Actors;
using OrleansCausal.Runtime.Records;
using OrleansCausal.Runtime.Storage;
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

    private static async Task<(ProbeStore Probe, ServiceProvider Services)> StartAsync()
    {
        var inner = new InMemoryRecordStore(RegionId.Parse("A"));
        await inner.OpenAsync(CancellationToken.None);
        var probe = new ProbeStore(inner);
        return (probe, RuntimeHost.Create(probe, new Dictionary<string, string?> { ["Actors:MaxCacheAge"] = "00:10:00" }));
    }

    private static string[] Values(RecordView view) => [.. view.Record.Siblings.Select(b => b.Value!).Order()];

    [Fact]
    public async Task Read_AfterOwnWrite_IsServedFromCacheWithoutStoreRead()
    {
        var (probe, services) = await StartAsync();
        await using var _ = services;
        var records = services.GetRequiredService<RecordService>();
        var written = await records.PutAsync(K, "\"v1\"", VersionVector.Empty, false, default);
        var overwritten = await records.PutAsync(K, "\"v2\"", written.Context, false, default);
        var readsBefore = probe.Reads;

        var blind = await records.GetAsync(K, null, default);
        var session = await records.GetAsync(K, overwritten.Context, default);

        Assert.Equal(readsBefore, probe.Reads);
        Assert.Equal(["\"v2\""], Values(blind));
        Assert.Equal(["\"v2\""], Values(session));
        Assert.Equal(overwritten.Context, blind.Context);
    }

    [Fact]
    public async Task Merge_CommittedJustAfterTheWriteBeforeItsAcknowledgement_IsVisibleToNextRead()
    {
        // Same batch, merge applied after the put: the put's result lacks the merged bin and two notices arrive.
        var (probe, services) = await StartAsync();
        await using var _ = services;
        var records = services.GetRequiredService<RecordService>();
        var remote = RemoteBins.Next(K, "\"remote\"");
        probe.AfterPut = request => RemoteBins.MergeAsync(probe.Inner, remote);

        var written = await records.PutAsync(K, "\"local\"", VersionVector.Empty, false, default);
        var readsBefore = probe.Reads;
        var read = await records.GetAsync(K, null, default);

        Assert.Equal(["\"local\""], Values(written));
        Assert.Equal(["\"local\"", "\"remote\""], Values(read));
        Assert.Equal(readsBefore + 1, probe.Reads);
    }

    [Fact]
    public async Task Merge_CommittedJustBeforeTheWriteInTheSameBatch_IsVisibleToNextRead()
    {
        // Same batch, merge applied first: the put's result already holds the merged bin; the extra notice makes the
        // actor drop the cache anyway, and the next read sees both bins.
        var (probe, services) = await StartAsync();
        await using var _ = services;
        var records = services.GetRequiredService<RecordService>();
        var remote = RemoteBins.Next(K, "\"remote\"");
        probe.BeforePut = request => RemoteBins.MergeAsync(probe.Inner, remote);

        await records.PutAsync(K, "\"local\"", VersionVector.Empty, false, default);
        var read = await records.GetAsync(K, null, default);

        Assert.Equal(["\"local\"", "\"remote\""], Values(read));
        Assert.True(read.Context.Covers(remote.Bin.Dot), $"context {read.Context} misses {remote.Bin.Dot}");
    }

    [Fact]
    public async Task Merge_BetweenWriteAndRead_IsVisibleToNextRead()
    {
        var (probe, services) = await StartAsync();
        await using var _ = services;
        var records = services.GetRequiredService<RecordService>();
        var actors = services.GetRequiredService<RecordActorDirectory>();
        var written = await records.PutAsync(K, "\"local\"", VersionVector.Empty, false, default);
        var actor = await actors.UseAsync(K, (a, _) => Task.FromResult(a), default);
        var cachedAfterWrite = actor.IsCached;

        await RemoteBins.MergeAsync(probe.Inner, RemoteBins.Next(K, "\"remote\""));
        var read = await records.GetAsync(K, written.Context, default);

        Assert.True(cachedAfterWrite, "the write's own result was not cached");
        Assert.Equal(["\"local\"", "\"remote\""], Values(read));
    }

    [Fact]
    public async Task Write_WhoseOwnNoticeNeverArrives_IsNotCached()
    {
        // A store (or a silo) that drops notices: "exactly one notice" never holds, so nothing is trusted.
        var inner = new InMemoryRecordStore(RegionId.Parse("A"));
        await inner.OpenAsync(CancellationToken.None);
        var probe = new ProbeStore(inner, forwardNotices: false);
        await using var services = RuntimeHost.Create(probe);
        var records = services.GetRequiredService<RecordService>();

        await records.PutAsync(K, "\"v1\"", VersionVector.Empty, false, default);
        var readsBefore = probe.Reads;
        await records.GetAsync(K, null, default);

        Assert.Equal(readsBefore + 1, probe.Reads);
    }
}
