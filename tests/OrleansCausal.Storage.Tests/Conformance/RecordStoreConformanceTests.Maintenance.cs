using OrleansCausal.Core;

namespace OrleansCausal.Storage.Tests.Conformance;

/// <summary>Bounded storage (README "Bounded storage"): feed compaction, tombstone purge, the dot and version floors
/// that keep a purge from reissuing a dot or a version (DESIGN.md invariant 4), and the figures.</summary>
public abstract partial class RecordStoreConformanceTests
{
    [Fact]
    public async Task CompactFeedAsync_WhenEntriesAreBelowThrough_DeletesThemKeepsTheNewestAndNeverReusesASequence()
    {
        var (store, _) = await NewStoreAsync(RegionA);
        for (var i = 0; i < 5; i++)
        {
            await PutAsync(store, Key($"k{i}"), $"\"{i}\"");
        }

        Assert.Equal(2, await store.CompactFeedAsync(2, Ct));
        Assert.Equal([3L, 4L, 5L], (await store.ReadChangesAsync(0, 100, Ct)).Select(e => e.Sequence));

        Assert.Equal(2, await store.CompactFeedAsync(long.MaxValue, Ct));
        Assert.Equal([5L], (await store.ReadChangesAsync(0, 100, Ct)).Select(e => e.Sequence));
        Assert.Equal(5, await store.GetLastSequenceAsync(Ct));
        Assert.Equal(1, (await store.GetStorageFiguresAsync(Ct)).Feed);

        var next = await PutAsync(store, Key("k5"), "\"5\"");
        Assert.Equal(6, next.Sequence);
        Assert.Equal(0, await store.CompactFeedAsync(0, Ct));
    }

    [Fact]
    public async Task PurgeAsync_WhenTheRecordHoldsOnlyTombstones_LeavesItsClockAloneAndAnOldContextNeverReissuesADot()
    {
        var (store, location) = await NewStoreAsync(RegionA);
        var key = Key("purged");
        var written = await PutAsync(store, key, "\"12F\"");
        var oldContext = written.Record.Context;
        var deleted = await PutAsync(store, key, null, written.Record.Context);
        await PutAsync(store, Key("live"), "\"kept\"");
        var before = await store.GetStorageFiguresAsync(Ct);
        Assert.Equal((1L, 1L, 3L), (before.Records, before.Tombstones, before.Feed));
        Assert.True(before.Bytes > 0, $"A durable store reports its size; got {before.Bytes}.");
        var versionBefore = (await store.LoadAsync(key, Ct)).Version;

        var live = (await store.LoadAsync(Key("live"), Ct)).Record;
        var purged = await store.PurgeAsync([new PurgeCandidate(key, deleted.Record), new PurgeCandidate(Key("live"), live)], Ct);

        Assert.Equal([key], purged);
        var gone = await store.LoadAsync(key, Ct);
        Assert.Empty(gone.Record.Bins);
        Assert.Equal(deleted.Record.Clock, gone.Record.Clock);
        Assert.True(gone.Version > versionBefore, $"A purge must bump the version (was {versionBefore}, now {gone.Version}).");
        var after = await store.GetStorageFiguresAsync(Ct);
        Assert.Equal((1L, 0L, 3L), (after.Records, after.Tombstones, after.Feed));

        // The doomstone case: a context read before the purge, written after it.
        var late = await PutAsync(store, key, "\"10D\"", oldContext);
        Assert.True(late.Written.Dot.Counter > deleted.Written.Dot.Counter,
            $"The write after the purge got dot {late.Written.Dot}, not above the purged {deleted.Written.Dot}: a dot was issued twice.");

        // The purged tombstone never comes back, also after a restart.
        await CloseAsync(store);
        var reopened = await OpenStoreAsync(location, RegionA);
        await reopened.MergeAsync([new KeyedBin(key, deleted.Written), new KeyedBin(key, written.Written)], null, Ct);
        AssertBins((await reopened.LoadAsync(key, Ct)).Record, (late.Written.Dot, "\"10D\""));
    }

    [Fact]
    public async Task PurgeAsync_WhenTheRecordChangedSinceItWasSeen_KeepsIt()
    {
        var (store, _) = await NewStoreAsync(RegionA);
        var key = Key("changed");
        var written = await PutAsync(store, key, "\"a\"");
        var deleted = await PutAsync(store, key, null, written.Record.Context);
        var concurrent = await PutAsync(store, key, null);

        Assert.Empty(await store.PurgeAsync([new PurgeCandidate(key, deleted.Record)], Ct));
        Assert.Equal(concurrent.Record, (await store.LoadAsync(key, Ct)).Record);
        Assert.Empty(await store.PurgeAsync([new PurgeCandidate(Key("never"), deleted.Record)], Ct));
    }

    [Fact]
    public async Task PurgeAsync_WhenTombstonesHaveLiveSiblings_DropsOnlyTheTombstonesAndKeepsTheClock()
    {
        var (store, _) = await NewStoreAsync(RegionA);
        var key = Key("mixed");
        var first = await PutAsync(store, key, "\"a\"");
        var deleted = await PutAsync(store, key, null, first.Record.Context);
        var sibling = await PutAsync(store, key, "\"b\"", first.Record.Context);
        var before = await store.LoadAsync(key, Ct);

        Assert.Equal([key], await store.PurgeAsync([new PurgeCandidate(key, sibling.Record)], Ct));

        var after = await store.LoadAsync(key, Ct);
        AssertBins(after.Record, (sibling.Written.Dot, "\"b\""));
        Assert.Equal(before.Record.Clock, after.Record.Clock);
        Assert.True(after.Version > before.Version, $"Dropping bins must bump the version (was {before.Version}, now {after.Version}).");
        Assert.True(after.Record.Clock.Covers(deleted.Written.Dot));

        // The dropped tombstone never comes back: a merge of it is skipped as seen.
        await store.MergeAsync([new KeyedBin(key, deleted.Written)], null, Ct);
        AssertBins((await store.LoadAsync(key, Ct)).Record, (sibling.Written.Dot, "\"b\""));
        Assert.Empty(await store.PurgeAsync([new PurgeCandidate(key, after.Record)], Ct));
    }

    [Fact]
    public async Task WriteAsync_WhenTheWriterCachedTheRecordBeforeAPurge_IsAVersionConflict()
    {
        var (store, _) = await NewStoreAsync(RegionA);
        var key = Key("cached");
        var first = await PutAsync(store, key, "\"a\"");
        var deleted = await PutAsync(store, key, null, first.Record.Context);
        var stale = await store.LoadAsync(key, Ct);
        await store.PurgeAsync([new PurgeCandidate(key, deleted.Record)], Ct);

        var cachedWrite = stale.Record.Put(store.Replica, "\"b\"", stale.Record.Context, Now());
        await Assert.ThrowsAsync<RecordVersionConflictException>(() => store.WriteAsync(new RecordWrite(key, stale.Version, stale.Record, cachedWrite.Record), Ct));
        Assert.Empty((await store.LoadAsync(key, Ct)).Record.Bins);
    }

    [Fact]
    public async Task GetInboundPositionsAsync_ListsEverySourceApplied()
    {
        var (a, _) = await NewStoreAsync(RegionA);
        var (b, _) = await NewStoreAsync(RegionB);
        await PutAsync(a, Key("x"), "\"1\"");
        await PutAsync(a, Key("y"), "\"2\"");
        var position = await ReplicateAsync(a, b);

        var positions = await b.GetInboundPositionsAsync(Ct);

        Assert.Equal(new Dictionary<string, long> { [a.Replica.ToString()] = position }, positions);
        Assert.Equal(2, (await b.GetStorageFiguresAsync(Ct)).Records);
    }

    private static DateTimeOffset Now() => DateTimeOffset.FromUnixTimeMilliseconds(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
}
