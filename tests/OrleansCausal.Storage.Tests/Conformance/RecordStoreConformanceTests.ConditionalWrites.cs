using System.Collections.Concurrent;
using OrleansCausal.Core;

namespace OrleansCausal.Storage.Tests.Conformance;

/// <summary>The conditional write (<see cref="IRecordOperations.WriteAsync"/>) and the record version it is checked
/// against: the record grain's write path.</summary>
public abstract partial class RecordStoreConformanceTests
{
    /// <summary>Accepted times for bins a test computes itself: whole milliseconds, as stores keep them.</summary>
    private static readonly DateTimeOffset WrittenAt = DateTimeOffset.FromUnixTimeMilliseconds(1_767_225_600_123);

    [Fact]
    public async Task Write_WhenRecordIsNewAtVersionZero_CreatesItAtVersionOne()
    {
        var (store, _) = await NewStoreAsync(RegionA);
        var after = CausalRecord.Empty.Put(store.Replica, "\"12F\"", VersionVector.Empty, WrittenAt).Record;

        var result = await store.WriteAsync(new RecordWrite(Key("k"), 0, CausalRecord.Empty, after), Ct);

        Assert.Equal(1, result.Version);
        var feed = await store.ReadChangesAsync(0, 10, Ct);
        Assert.Equal([(result.LastSequence, Key("k"), after.Bins[0])], feed.Select(c => (c.Sequence, c.Key, c.Bin)).ToArray());
        Assert.Equal(new StoredRecord(after, 1), await store.LoadAsync(Key("k"), Ct));
        Assert.Equal(after, await store.ReadAsync(Key("k"), Ct));
    }

    [Fact]
    public async Task Load_WhenNeverWritten_ReturnsMissingAtVersionZero()
    {
        var (store, _) = await NewStoreAsync(RegionA);

        Assert.Equal(StoredRecord.Missing, await store.LoadAsync(Key("never"), Ct));
    }

    [Fact]
    public async Task Version_WhenPutWriteAndMergeChangeRecord_BumpsByOneEach()
    {
        var (a, _) = await NewStoreAsync(RegionA);
        var (b, _) = await NewStoreAsync(RegionB);
        var remote = await PutAsync(b, Key("k"), "\"b\"");

        var put = await PutAsync(a, Key("k"), "\"a1\"");
        var loaded = await a.LoadAsync(Key("k"), Ct);
        var after = loaded.Record.Put(a.Replica, "\"a2\"", loaded.Record.Clock, WrittenAt).Record;
        var written = await a.WriteAsync(new RecordWrite(Key("k"), loaded.Version, loaded.Record, after), Ct);
        await a.MergeAsync([new KeyedBin(Key("k"), remote.Written)], null, Ct);
        var afterMerge = await a.LoadAsync(Key("k"), Ct);
        // A duplicate delivery changes nothing, so it leaves the version alone.
        await a.MergeAsync([new KeyedBin(Key("k"), remote.Written)], null, Ct);

        Assert.Equal(1, put.Version);
        Assert.Equal(1, loaded.Version);
        Assert.Equal(2, written.Version);
        Assert.Equal(3, afterMerge.Version);
        Assert.Equal(afterMerge, await a.LoadAsync(Key("k"), Ct));
        AssertBins(afterMerge.Record, new[] { (new Dot(a.Replica, 2), (string?)"\"a2\""), (remote.Written.Dot, "\"b\"") }.OrderBy(x => x.Item1).ToArray());
    }

    [Fact]
    public async Task Write_WhenExpectedVersionIsStale_ThrowsConflictAndChangesNothing()
    {
        var (store, _) = await NewStoreAsync(RegionA);
        await PutAsync(store, Key("k"), "1");
        var stale = await store.LoadAsync(Key("k"), Ct);
        await PutAsync(store, Key("k"), "2");
        var current = await store.LoadAsync(Key("k"), Ct);
        var feed = await store.ReadChangesAsync(0, 10, Ct);
        var after = stale.Record.Put(store.Replica, "\"stale\"", stale.Record.Clock, WrittenAt).Record;

        var error = await Assert.ThrowsAsync<RecordVersionConflictException>(() =>
            store.WriteAsync(new RecordWrite(Key("k"), stale.Version, stale.Record, after), Ct));

        Assert.Equal((Key("k"), 1L, 2L), (error.Key, error.ExpectedVersion, error.ActualVersion));
        Assert.Equal(current, await store.LoadAsync(Key("k"), Ct));
        Assert.Equal(2, current.Version);
        Assert.Equal(feed, await store.ReadChangesAsync(0, 10, Ct));
    }

    [Fact]
    public async Task Write_WhenMergeLandsBetweenLoadAndWrite_Conflicts()
    {
        var (a, _) = await NewStoreAsync(RegionA);
        var (b, _) = await NewStoreAsync(RegionB);
        await PutAsync(a, Key("k"), "1");
        var remote = await PutAsync(b, Key("k"), "2");
        var loaded = await a.LoadAsync(Key("k"), Ct);
        var after = loaded.Record.Put(a.Replica, "3", loaded.Record.Clock, WrittenAt).Record;

        await a.MergeAsync([new KeyedBin(Key("k"), remote.Written)], null, Ct);
        var error = await Assert.ThrowsAsync<RecordVersionConflictException>(() =>
            a.WriteAsync(new RecordWrite(Key("k"), loaded.Version, loaded.Record, after), Ct));

        Assert.Equal((1L, 2L), (error.ExpectedVersion, error.ActualVersion));
        var stored = await a.LoadAsync(Key("k"), Ct);
        Assert.Equal(2, stored.Version);
        Assert.Contains(stored.Record.Bins, bin => bin.Dot == remote.Written.Dot);
        Assert.Single(await a.ReadChangesAsync(0, 10, Ct));
    }

    [Fact]
    public async Task Write_AppendsOwnNewBinsInDotOrderButNeverRemoteOnes()
    {
        var (a, _) = await NewStoreAsync(RegionA);
        var (b, _) = await NewStoreAsync(RegionB);
        var earlier = await PutAsync(a, Key("k"), "0");
        var remote = await PutAsync(b, Key("k"), "\"b\"");
        var loaded = await a.LoadAsync(Key("k"), Ct);
        var first = loaded.Record.Put(a.Replica, "1", VersionVector.Empty, WrittenAt).Record;
        var after = first.Put(a.Replica, "2", VersionVector.Empty, WrittenAt).Record.Merge([remote.Written]).Record;

        var result = await a.WriteAsync(new RecordWrite(Key("k"), loaded.Version, loaded.Record, after), Ct);

        var feed = await a.ReadChangesAsync(0, 10, Ct);
        Assert.Equal(
            [(earlier.Sequence, new Dot(a.Replica, 1)), (earlier.Sequence + 1, new Dot(a.Replica, 2)), (earlier.Sequence + 2, new Dot(a.Replica, 3))],
            feed.Select(c => (c.Sequence, c.Bin.Dot)).ToArray());
        Assert.Equal(earlier.Sequence + 2, result.LastSequence);
        Assert.Equal(after.Bins.Single(x => x.Dot == new Dot(a.Replica, 3)), feed[^1].Bin);
        Assert.Equal(new StoredRecord(after, 2), await a.LoadAsync(Key("k"), Ct));
    }

    [Fact]
    public async Task Write_WhenAfterDropsBins_TheyAreGoneAfterReloadAndReopen()
    {
        var (store, location) = await NewStoreAsync(RegionA);
        var r = store.Replica;
        await PutAsync(store, Key("k"), "1");
        await PutAsync(store, Key("k"), "2");
        var loaded = await store.LoadAsync(Key("k"), Ct);
        var after = loaded.Record.Put(r, "3", Vector((r, 1)), WrittenAt).Record;

        var result = await store.WriteAsync(new RecordWrite(Key("k"), loaded.Version, loaded.Record, after), Ct);

        AssertBins((await store.LoadAsync(Key("k"), Ct)).Record, (new Dot(r, 2), "2"), (new Dot(r, 3), "3"));
        await CloseAsync(store);
        var reopened = await OpenStoreAsync(location, RegionA);
        Assert.Equal(new StoredRecord(after, 3), await reopened.LoadAsync(Key("k"), Ct));
        Assert.Equal(3, result.Version);
    }

    [Fact]
    public async Task Write_WhenOnlyDroppingBins_AppendsNothingAndReturnsSequenceZero()
    {
        var (a, _) = await NewStoreAsync(RegionA);
        var (b, _) = await NewStoreAsync(RegionB);
        var remote = await PutAsync(b, Key("k"), "\"b\"");
        var own = await PutAsync(a, Key("k"), "\"a\"");
        var loaded = await a.LoadAsync(Key("k"), Ct);
        // The owner learnt of a remote bin that supersedes its own (it carries the owner's dot in its context).
        var superseding = new Bin(new Dot(b.Replica, 2), "\"b2\"", Vector((a.Replica, 1), (b.Replica, 1)), WrittenAt);
        var after = loaded.Record.Merge([remote.Written, superseding]).Record;

        var result = await a.WriteAsync(new RecordWrite(Key("k"), loaded.Version, loaded.Record, after), Ct);

        Assert.Equal(new RecordWriteResult(2, 0), result);
        AssertBins(await a.ReadAsync(Key("k"), Ct), (superseding.Dot, "\"b2\""));
        Assert.Equal([own.Sequence], (await a.ReadChangesAsync(0, 10, Ct)).Select(c => c.Sequence).ToArray());
    }

    [Fact]
    public async Task Write_WhenOwnAddedBinReissuesCoveredDot_RefusesAndWritesNothing()
    {
        var (store, _) = await NewStoreAsync(RegionA);
        var r = store.Replica;
        await PutAsync(store, Key("k"), "1");
        await PutAsync(store, Key("k"), "2", Vector((r, 1)));
        var loaded = await store.LoadAsync(Key("k"), Ct);
        var feed = await store.ReadChangesAsync(0, 10, Ct);
        // Computed from an empty record, as a second activation that lost its state would: it issues dot (r, 1) again.
        var after = CausalRecord.Empty.Put(r, "\"again\"", VersionVector.Empty, WrittenAt).Record;

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            store.WriteAsync(new RecordWrite(Key("k"), loaded.Version, loaded.Record, after), Ct));

        Assert.Contains(new Dot(r, 1).ToString(), error.Message, StringComparison.Ordinal);
        Assert.Equal(loaded, await store.LoadAsync(Key("k"), Ct));
        Assert.Equal(feed, await store.ReadChangesAsync(0, 10, Ct));
    }

    [Fact]
    public async Task RecordChanged_WhenPutWriteAndMergeCommit_CarriesEachNewVersion()
    {
        var (a, _) = await NewStoreAsync(RegionA);
        var (b, _) = await NewStoreAsync(RegionB);
        var remote = await PutAsync(b, Key("k"), "\"b\"");
        var seen = new ConcurrentQueue<(RecordKey Key, long Version, bool IsLocal)>();
        var third = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        a.RecordChanged += (_, e) =>
        {
            seen.Enqueue((e.Key, e.Version, e.IsLocal));
            if (e.Version == 3)
            {
                third.TrySetResult();
            }
        };

        await PutAsync(a, Key("k"), "1");
        var loaded = await a.LoadAsync(Key("k"), Ct);
        await a.WriteAsync(new RecordWrite(Key("k"), 1, loaded.Record, loaded.Record.Put(a.Replica, "2", loaded.Record.Clock, WrittenAt).Record), Ct);
        await a.MergeAsync([new KeyedBin(Key("k"), remote.Written)], null, Ct);
        await third.Task.WaitAsync(Timeout);

        Assert.Equal([(Key("k"), 1L, true), (Key("k"), 2L, true), (Key("k"), 3L, true)], seen.ToArray());
    }

    [Fact]
    public async Task Write_WhenBurstOfWritesToManyKeysIncludesOneStale_OnlyTheStaleOneFails()
    {
        const int Keys = 64;
        var (store, _) = await NewStoreAsync(RegionA);
        var r = store.Replica;
        var keys = Enumerable.Range(0, Keys).Select(i => Key($"k{i}")).ToArray();
        foreach (var key in keys.Append(Key("stale")))
        {
            await PutAsync(store, key, "0");
        }

        var loaded = await Task.WhenAll(keys.Select(k => store.LoadAsync(k, Ct)));
        var stale = await store.LoadAsync(Key("stale"), Ct);
        var writes = keys.Select((k, i) => new RecordWrite(k, loaded[i].Version, loaded[i].Record,
            loaded[i].Record.Put(r, $"{i}", loaded[i].Record.Clock, WrittenAt).Record)).ToList();
        var staleWrite = new RecordWrite(Key("stale"), 0, CausalRecord.Empty, CausalRecord.Empty.Put(r, "\"lost\"", VersionVector.Empty, WrittenAt).Record);
        writes.Insert(Keys / 2, staleWrite);
        var lastBefore = await store.GetLastSequenceAsync(Ct);

        var tasks = writes.Select(w => Task.Run(() => store.WriteAsync(w, Ct))).ToArray();
        var staleTask = tasks[Keys / 2];
        var error = await Assert.ThrowsAsync<RecordVersionConflictException>(() => staleTask);
        var results = await Task.WhenAll(tasks.Where(t => t != staleTask));

        Assert.Equal((Key("stale"), 0L, 1L), (error.Key, error.ExpectedVersion, error.ActualVersion));
        Assert.Equal(stale, await store.LoadAsync(Key("stale"), Ct));
        Assert.All(results, result => Assert.Equal(2, result.Version));
        Assert.Equal(
            Enumerable.Range(1, Keys).Select(i => lastBefore + i).ToArray(),
            results.Select(x => x.LastSequence).Order().ToArray());
        for (var i = 0; i < Keys; i++)
        {
            Assert.Equal(new StoredRecord(writes[i < Keys / 2 ? i : i + 1].After, 2), await store.LoadAsync(keys[i], Ct));
        }

        var feed = await store.ReadChangesAsync(lastBefore, int.MaxValue, Ct);
        Assert.Equal(keys.ToHashSet(), feed.Select(c => c.Key).ToHashSet());
        Assert.Equal(Keys, feed.Count);
    }
}
