using OrleansCausal.Core;

namespace OrleansCausal.Storage.Tests.Conformance;

/// <summary>Conditional writes under races: two owners of one record (two grain activations), a replication merge
/// landing between a load and a write, and one stale write inside a burst that shares commits with others.</summary>
public abstract partial class RecordStoreConformanceTests
{
    [Fact]
    public async Task WriteAsync_WhenTwoWritersRaceFromOneVersion_ExactlyOneWinsAndTheRetryKeepsBoth()
    {
        var (store, _) = await NewStoreAsync(RegionA);
        var key = Key("two-owners");
        var seed = await PutAsync(store, key, "\"seed\"");
        var loaded = await store.LoadAsync(key, Ct);
        var writes = new[] { RaceBlindPut(store, key, loaded, "\"first\""), RaceBlindPut(store, key, loaded, "\"second\"") };
        // Both owners computed their bin from the same record, so both hold the same dot: only one may commit it.
        Assert.Equal(writes[0].After.Bins[^1].Dot, writes[1].After.Bins[^1].Dot);

        var outcomes = await Task.WhenAll(writes.Select(w => Task.Run(() => RaceTryWriteAsync(store, w))));

        var winner = Assert.Single(outcomes, o => o.Result is not null);
        var loser = Assert.Single(outcomes, o => o.Conflict is not null);
        Assert.Equal(loaded.Version + 1, winner.Result!.Version);
        Assert.Equal((key, loaded.Version, loaded.Version + 1), (loser.Conflict!.Key, loser.Conflict.ExpectedVersion, loser.Conflict.ActualVersion));
        var winnerBin = winner.Write.After.Bins[^1];

        var reloaded = await store.LoadAsync(key, Ct);
        var retry = RaceBlindPut(store, key, reloaded, loser.Write.After.Bins[^1].Value!);
        var retried = await store.WriteAsync(retry, Ct);

        var retryBin = retry.After.Bins[^1];
        Assert.Equal(loaded.Version + 2, retried.Version);
        var final = await store.LoadAsync(key, Ct);
        Assert.Equal(loaded.Version + 2, final.Version);
        AssertBins(final.Record, (seed.Written.Dot, "\"seed\""), (winnerBin.Dot, winnerBin.Value), (retryBin.Dot, retryBin.Value));
        var feed = await store.ReadChangesAsync(0, int.MaxValue, Ct);
        Assert.Equal([seed.Written.Dot, winnerBin.Dot, retryBin.Dot], feed.Select(c => c.Bin.Dot));
        Assert.Equal([seed.Sequence, winner.Result.LastSequence, retried.LastSequence], feed.Select(c => c.Sequence));
    }

    [Fact]
    public async Task WriteAsync_WhenAMergeRacesIt_NeverLosesTheMergedBinNorTheWrittenOneAfterRetry()
    {
        const int Rounds = 30;
        var seed = Environment.TickCount;
        var random = new Random(seed);
        var (a, _) = await NewStoreAsync(RegionA);
        var (b, _) = await NewStoreAsync(RegionB);
        var conflicts = 0;
        for (var round = 0; round < Rounds; round++)
        {
            var key = Key($"round-{round}");
            var remote = (await PutAsync(b, key, $"\"b{round}\"")).Written;
            var earlier = random.Next(2) == 0;
            if (earlier)
            {
                await PutAsync(a, key, "\"earlier\"");
            }

            var loaded = await a.LoadAsync(key, Ct);
            var write = RaceBlindPut(a, key, loaded, $"\"a{round}\"");
            var mergeFirst = random.Next(2) == 0;
            var yields = random.Next(3);
            Task<MergeResult> merge;
            Task<(RecordWrite Write, RecordWriteResult? Result, RecordVersionConflictException? Conflict)> conditional;
            if (mergeFirst)
            {
                merge = Task.Run(() => a.MergeAsync([new KeyedBin(key, remote)], null, Ct));
                conditional = Task.Run(async () => { for (var i = 0; i < yields; i++) { await Task.Yield(); } return await RaceTryWriteAsync(a, write); });
            }
            else
            {
                conditional = Task.Run(() => RaceTryWriteAsync(a, write));
                merge = Task.Run(async () => { for (var i = 0; i < yields; i++) { await Task.Yield(); } return await a.MergeAsync([new KeyedBin(key, remote)], null, Ct); });
            }

            var added = (await merge).Added;
            Assert.True(added == 1, $"seed {seed}, round {round}: the merge added {added} bins, expected 1");
            var (written, result, conflict) = await conditional;
            for (var attempt = 0; conflict is not null; attempt++)
            {
                Assert.True(attempt < 10, $"seed {seed}, round {round}: the write still conflicts after {attempt} reloads");
                conflicts++;
                (written, result, conflict) = await RaceTryWriteAsync(a, RaceBlindPut(a, key, await a.LoadAsync(key, Ct), $"\"a{round}\""));
            }

            var writtenBin = written.After.Bins.Single(x => x.Value == $"\"a{round}\"");
            var final = await a.LoadAsync(key, Ct);
            // One version per change: the earlier put, the merge and the successful write, whatever their order.
            Assert.True(final.Version == (earlier ? 3 : 2), $"seed {seed}, round {round}: the record is at version {final.Version}, expected {(earlier ? 3 : 2)}");
            Assert.True(result!.Version <= final.Version, $"seed {seed}, round {round}: the write reported version {result.Version}, the record is at {final.Version}");
            Assert.True(
                final.Record.Bins.Any(x => x.Dot == remote.Dot) && final.Record.Bins.Any(x => x.Dot == writtenBin.Dot && x.Value == writtenBin.Value),
                $"seed {seed}, round {round} (merge first: {mergeFirst}, yields {yields}): expected the merged bin {remote.Dot} and the written bin {writtenBin.Dot}, the record is {Describe(final.Record)}");
        }

        var feed = await a.ReadChangesAsync(0, int.MaxValue, Ct);
        Assert.True(feed.All(c => c.Bin.Dot.Replica == a.Replica), $"seed {seed}: merged bins must never enter the feed ({conflicts} conflicts)");
        Assert.Equal(feed.Count, feed.Select(c => (c.Key, c.Bin.Dot)).Distinct().Count());
    }

    [Fact]
    public async Task WriteAsync_WhenOneWriteOfABurstIsStale_OnlyThatOneFails()
    {
        const int Keys = 12;
        const int Stale = 5;
        var (store, _) = await NewStoreAsync(RegionA);
        var keys = Enumerable.Range(0, Keys).Select(i => Key($"burst-{i}")).ToArray();
        foreach (var key in keys)
        {
            await PutAsync(store, key, "0");
        }

        var loaded = new StoredRecord[Keys];
        for (var i = 0; i < Keys; i++)
        {
            loaded[i] = await store.LoadAsync(keys[i], Ct);
        }

        var meanwhile = await PutAsync(store, keys[Stale], "\"meanwhile\"");
        var before = await store.GetLastSequenceAsync(Ct);
        var writes = Enumerable.Range(0, Keys).Select(i => RaceBlindPut(store, keys[i], loaded[i], $"\"w{i}\"")).ToArray();

        var tasks = writes.Select(w => store.WriteAsync(w, Ct)).ToArray();

        var conflict = await Assert.ThrowsAsync<RecordVersionConflictException>(() => tasks[Stale]);
        Assert.Equal((keys[Stale], loaded[Stale].Version, meanwhile.Version), (conflict.Key, conflict.ExpectedVersion, conflict.ActualVersion));
        // Read only once every write is acknowledged: a store may still be committing the ones queued after the stale one.
        await Task.WhenAll(tasks.Where((_, i) => i != Stale));
        var feed = await store.ReadChangesAsync(before, int.MaxValue, Ct);
        var expectedFeed = new List<(long, RecordKey, Dot)>();
        for (var i = 0; i < Keys; i++)
        {
            var record = await store.LoadAsync(keys[i], Ct);
            if (i == Stale)
            {
                Assert.Equal(meanwhile.Version, record.Version);
                Assert.Equal(meanwhile.Record, record.Record);
                continue;
            }

            var result = await tasks[i];
            Assert.Equal((loaded[i].Version + 1, loaded[i].Version + 1), (result.Version, record.Version));
            Assert.Equal(writes[i].After, record.Record);
            expectedFeed.Add((result.LastSequence, keys[i], writes[i].After.Bins[^1].Dot));
        }

        Assert.Equal(expectedFeed.OrderBy(e => e.Item1), feed.Select(c => (c.Sequence, c.Key, c.Bin.Dot)));
        Assert.Equal(Enumerable.Range(1, Keys - 1).Select(i => before + i), feed.Select(c => c.Sequence));
    }

    /// <summary>What a record grain computes for a blind put (no context) on the record it loaded.</summary>
    private static RecordWrite RaceBlindPut(IRecordStore store, RecordKey key, StoredRecord loaded, string value)
    {
        var now = DateTimeOffset.FromUnixTimeMilliseconds(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        return new RecordWrite(key, loaded.Version, loaded.Record, loaded.Record.Put(store.Replica, value, VersionVector.Empty, now).Record);
    }

    private static async Task<(RecordWrite Write, RecordWriteResult? Result, RecordVersionConflictException? Conflict)> RaceTryWriteAsync(IRecordStore store, RecordWrite write)
    {
        try
        {
            return (write, await store.WriteAsync(write, Ct), null);
        }
        catch (RecordVersionConflictException conflict)
        {
            return (write, null, conflict);
        }
    }
}
