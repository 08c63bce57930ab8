using Microsoft.Extensions.DependencyInjection;
using OrleansCausal.Core;
using OrleansCausal.Runtime.Grains;
using OrleansCausal.Runtime.Records;
using OrleansCausal.Runtime.Tests.Support;
using OrleansCausal.Storage;

namespace OrleansCausal.Runtime.Tests.Grains;

public sealed class OneSiloRegion : IAsyncLifetime
{
    public RegionCluster Region { get; private set; } = null!;

    public async Task InitializeAsync() =>
        Region = await RegionCluster.StartAsync(InMemoryStores.Create(), settings: new Dictionary<string, string?> { ["Actors:MaxCacheAge"] = "00:10:00" });

    public async Task DisposeAsync() => await Region.DisposeAsync();
}

/// <summary>The record grain on a one-silo test cluster: caching, serialized writes, interleaved reads, reactivation
/// from storage, and a merge racing a write (the version check makes the write reload and retry).</summary>
public sealed class RecordGrainTests(OneSiloRegion fixture) : IClassFixture<OneSiloRegion>
{
    private static readonly VersionVector Blind = VersionVector.Empty;

    private RegionCluster Region => fixture.Region;

    [Fact]
    public async Task Read_AfterOwnWrite_IsServedWithoutStoreRead()
    {
        var grain = Region.Record("cached");
        var written = await grain.WriteAsync(new RecordWriteCommand("\"v1\"", Blind, Override: false));
        var readsBefore = Region.Probe.Reads;

        var blind = await grain.ReadAsync(atLeast: null);
        var session = await grain.ReadAsync(written.Snapshot.Record.Clock);

        Assert.Equal(readsBefore, Region.Probe.Reads);
        Assert.Equal(written.Snapshot, blind);
        Assert.Equal(written.Snapshot, session);
        Assert.Equal(written.Written, Assert.Single(blind.Record.Bins).Dot);
    }

    [Fact]
    public async Task ConcurrentWrites_ToOneKey_AreSerializedAndEveryBinIsKept()
    {
        var grain = Region.Record("serialized");
        var outcomes = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => grain.WriteAsync(new RecordWriteCommand($"{i}", Blind, false))));

        var record = (await grain.ReadAsync(null)).Record;
        Assert.Equal(20, outcomes.Select(o => o.Written).Distinct().Count());
        Assert.Equal(outcomes.Select(o => o.Written).Order(), record.Bins.Select(b => b.Dot).Order());
        Assert.Equal(1, Region.Probe.MaxConcurrentWritesPerKey);
    }

    [Fact]
    public async Task Read_WhileWriteIsInFlight_InterleavesAndShowsOnlyTheCommittedRecord()
    {
        var grain = Region.Record("interleaved");
        var first = await grain.WriteAsync(new RecordWriteCommand("\"committed\"", Blind, false));
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Region.Probe.Gate = gate.Task;
        try
        {
            var held = grain.WriteAsync(new RecordWriteCommand("\"in-flight\"", first.Snapshot.Record.Clock, false));
            await Region.Probe.WriteArrived.Task.WaitAsync(TimeSpan.FromSeconds(10));

            var during = await grain.ReadAsync(null).WaitAsync(TimeSpan.FromSeconds(10));
            gate.SetResult();
            var after = await held;

            Assert.Equal(first.Snapshot, during);
            Assert.Equal(["\"in-flight\""], after.Snapshot.Record.Siblings.Select(b => b.Value));
        }
        finally
        {
            gate.TrySetResult();
            Region.Probe.Gate = null;
        }
    }

    [Fact]
    public async Task Deactivation_ThenCall_ReactivatesFromStorage()
    {
        var grain = Region.Record("reactivated");
        var written = await grain.WriteAsync(new RecordWriteCommand("\"kept\"", Blind, false));
        await Region.Cluster.DeactivateAsync(grain);
        Assert.Empty(Region.SilosHosting(new RecordKey("default", "reactivated")));
        var readsBefore = Region.Probe.Reads;

        var read = await grain.ReadAsync(null);

        Assert.Equal(written.Snapshot, read);
        Assert.True(Region.Probe.Reads > readsBefore, "the new activation must load the record from the store");
        Assert.Single(Region.SilosHosting(new RecordKey("default", "reactivated")));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public async Task Merge_RacingAWrite_KeepsBothBinsAndIssuesNoDotTwice(int seed)
    {
        // The merge lands in the store after the grain computed its write and before the write reaches the store:
        // the version check refuses the stale write, the grain reloads and writes again on top of the merged bin.
        var random = new Random(seed);
        var key = new RecordKey("default", $"race-{seed}");
        var grain = Region.Record(key.Key);
        var warm = await grain.WriteAsync(new RecordWriteCommand("\"warm\"", Blind, false));
        var merged = new List<Dot>();
        for (var round = 0; round < 10; round++)
        {
            var remote = RemoteBins.Next(key, $"\"remote-{round}\"");
            merged.Add(remote.Bin.Dot);
            var early = random.Next(2) == 0;
            Region.Probe.BeforeWrite = early
                ? _ =>
                {
                    Region.Probe.BeforeWrite = null;
                    return RemoteBins.MergeAsync(Region.Probe.Inner, remote);
                }
                : null;
            var write = grain.WriteAsync(new RecordWriteCommand($"\"local-{round}\"", Blind, false));
            if (!early)
            {
                await RemoteBins.MergeAsync(Region.Probe.Inner, remote);
            }

            await write;
        }

        var record = (await grain.ReadAsync(null)).Record;
        var stored = await Region.Probe.Inner.LoadAsync(key, default);
        Assert.Equal(stored.Record, record);
        Assert.All(merged, dot => Assert.Contains(dot, record.Bins.Select(b => b.Dot)));
        var local = record.Bins.Where(b => b.Dot.Region == warm.Written.Region).Select(b => b.Dot).ToArray();
        Assert.Equal(11, local.Length);
        Assert.Equal(11, local.Distinct().Count());
    }

    [Fact]
    public async Task Merge_AfterAcknowledgedWrite_IsVisibleToTheNextRead()
    {
        var key = new RecordKey("default", "notice");
        var grain = Region.Record(key.Key);
        await grain.WriteAsync(new RecordWriteCommand("\"local\"", Blind, false));

        var remote = RemoteBins.Next(key, "\"remote\"");
        await RemoteBins.MergeAsync(Region.Probe.Inner, remote);
        var read = await grain.ReadAsync(null);

        Assert.Contains(remote.Bin.Dot, read.Record.Bins.Select(b => b.Dot));
    }

    [Fact]
    public async Task ActiveRecords_ServeTheCommittedRecordOnlyWhileFresh()
    {
        // The gateway's fast read path: the silo-local committed record of an active grain, never a stale one.
        var key = new RecordKey("default", "fast-read");
        var silo = Region.Cluster.GetActiveSilos().Single().SiloHost.Services;
        var active = silo.GetRequiredService<RecordChangeNotices>();
        var records = silo.GetRequiredService<RecordService>();
        var now = () => TimeProvider.System.GetTimestamp();
        var maxAge = TimeProvider.System.TimestampFrequency * 600;
        Assert.Null(active.TryGetFresh(key, null, now(), maxAge));

        var written = await Region.Record(key.Key).WriteAsync(new RecordWriteCommand("\"v1\"", Blind, false));
        var readsBefore = Region.Probe.Reads;
        Assert.Equal(written.Snapshot, active.TryGetFresh(key, null, now(), maxAge));
        Assert.Equal(written.Snapshot.Record, (await records.GetAsync(key, written.Snapshot.Record.Clock, default)).Record);
        Assert.Equal(readsBefore, Region.Probe.Reads);

        // A context the committed record does not cover, a merge noticed from the store, or an aged record: not served.
        var remote = RemoteBins.Next(key, "\"remote\"");
        Assert.Null(active.TryGetFresh(key, written.Snapshot.Record.Clock.With(remote.Bin.Dot), now(), maxAge));
        Assert.Null(active.TryGetFresh(key, null, now() + maxAge + 1, maxAge));
        await RemoteBins.MergeAsync(Region.Probe.Inner, remote);
        Assert.Null(active.TryGetFresh(key, null, now(), maxAge));
        Assert.Contains(remote.Bin.Dot, (await records.GetAsync(key, null, default)).Record.Bins.Select(b => b.Dot));

        await Region.Cluster.DeactivateAsync(Region.Record(key.Key));
        Assert.Null(active.TryGetFresh(key, null, now(), maxAge));
    }
}
