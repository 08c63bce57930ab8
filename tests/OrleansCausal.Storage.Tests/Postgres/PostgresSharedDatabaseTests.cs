using OrleansCausal.Core;
using OrleansCausal.Tests.Shared;

namespace OrleansCausal.Storage.Tests.Postgres;

/// <summary>Two store instances (two silos of one region) on one database: atomicity lives in the database.</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresSharedDatabaseTests(PostgresServer server) : PostgresTestBase(server)
{
    [Fact]
    public async Task Open_WhenTwoInstancesShareADatabase_TheyIssueDotsUnderOneReplica()
    {
        var first = await OpenStoreAsync();
        var second = await OpenStoreAsync();

        Assert.Equal(first.Replica, second.Replica);
        Assert.NotEqual(first.InstanceId, second.InstanceId);
    }

    [Fact]
    public async Task Put_WhenTwoInstancesWriteOneKeyBlindFromManyTasks_LosesNoBinAndReusesNoDot()
    {
        const int TasksPerStore = 8;
        const int PutsPerTask = 25;
        const int Total = 2 * TasksPerStore * PutsPerTask;
        var stores = new[] { await OpenStoreAsync(), await OpenStoreAsync() };
        var key = Key("hot");

        var results = await Task.WhenAll(Enumerable.Range(0, 2 * TasksPerStore).Select(t => Task.Run(async () =>
        {
            var mine = new List<StoreWriteResult>();
            for (var i = 0; i < PutsPerTask; i++)
            {
                mine.Add(await PutAsync(stores[t % 2], key, $"\"{t}-{i}\""));
            }

            return mine;
        })));

        var all = results.SelectMany(r => r).ToArray();
        var dots = all.Select(r => r.Written.Dot).ToHashSet();
        Assert.Equal(Total, dots.Count);
        var record = await stores[0].ReadAsync(key, Ct);
        Assert.True(dots.SetEquals(record.Bins.Select(b => b.Dot)), $"every acknowledged blind write must be a sibling; the record has {record.Bins.Count} of {Total}");
        Assert.Equal((ulong)Total, record.Clock.Get(stores[0].Replica));
        Assert.Equal(record, await stores[1].ReadAsync(key, Ct));

        var feed = await stores[1].ReadChangesAsync(0, int.MaxValue, Ct);
        Assert.Equal(Enumerable.Range(1, Total).Select(i => (long)i), feed.Select(c => c.Sequence));
        Assert.Equal(all.Select(r => r.Sequence).Order(), feed.Select(c => c.Sequence));
        Assert.True(dots.SetEquals(feed.Select(c => c.Bin.Dot)), "the change feed must list every acknowledged bin exactly once");
        // FIFO per record: the feed lists one record's bins in counter order.
        Assert.Equal(feed.Select(c => c.Bin.Dot.Counter).Order(), feed.Select(c => c.Bin.Dot.Counter));
    }

    [Fact]
    public async Task Put_WhenTwoInstancesReadThenWriteOneKeyFromManyTasks_KeepsEveryWriteNotCoveredByALaterContext()
    {
        const int TasksPerStore = 6;
        const int PutsPerTask = 20;
        var stores = new[] { await OpenStoreAsync(), await OpenStoreAsync() };
        var key = Key("read-then-write");

        var results = await Task.WhenAll(Enumerable.Range(0, 2 * TasksPerStore).Select(t => Task.Run(async () =>
        {
            var mine = new List<StoreWriteResult>();
            var store = stores[t % 2];
            for (var i = 0; i < PutsPerTask; i++)
            {
                var read = await store.ReadAsync(key, Ct);
                mine.Add(await PutAsync(store, key, $"\"{t}-{i}\"", read.Context));
            }

            return mine;
        })));

        var all = results.SelectMany(r => r).ToArray();
        Assert.Equal(all.Length, all.Select(r => r.Written.Dot).Distinct().Count());
        var record = await stores[0].ReadAsync(key, Ct);
        foreach (var written in all)
        {
            var kept = record.Bins.Any(b => b.Dot == written.Written.Dot);
            var covered = all.Any(other => other.Written.Context.Covers(written.Written.Dot));
            Assert.True(kept ^ covered, $"bin {written.Written.Dot}: kept={kept}, covered by a later write's context={covered}; exactly one must hold. Record: {record}");
        }

        var feed = await stores[0].ReadChangesAsync(0, int.MaxValue, Ct);
        Assert.Equal(Enumerable.Range(1, all.Length).Select(i => (long)i), feed.Select(c => c.Sequence));
    }

    [Fact]
    public async Task ReadChanges_WhenManyWritersCommitConcurrently_NeverShowsAGap()
    {
        const int Writers = 16;
        const int PutsPerWriter = 30;
        const int Total = Writers * PutsPerWriter;
        var stores = new[] { await OpenStoreAsync(), await OpenStoreAsync() };
        var reader = await OpenStoreAsync();

        var writing = Task.WhenAll(Enumerable.Range(0, Writers).Select(w => Task.Run(async () =>
        {
            for (var i = 0; i < PutsPerWriter; i++)
            {
                await PutAsync(stores[w % 2], Key($"w{w}-k{i % 5}"), $"{i}");
            }
        })));

        // A reader that follows the feed while it grows: every page must continue exactly where the last one
        // ended. A feed whose numbers were not assigned in commit order would show a later number first.
        long seen = 0;
        var pages = 0;
        var deadline = DateTime.UtcNow + Timeout;
        while (seen < Total)
        {
            Assert.True(DateTime.UtcNow < deadline, $"following the feed: expected {Total} entries, saw {seen} before the timeout");
            var page = await reader.ReadChangesAsync(seen, 1000, Ct);
            for (var i = 0; i < page.Count; i++)
            {
                Assert.True(page[i].Sequence == seen + 1, $"page {pages}: expected sequence {seen + 1} next, read {page[i].Sequence}");
                seen = page[i].Sequence;
            }

            pages++;
            if (writing.IsFaulted)
            {
                await writing;
            }
        }

        await writing;
        Assert.Equal(Total, await reader.GetLastSequenceAsync(Ct));
    }

    [Fact]
    public async Task RecordChanged_WhenAnotherInstanceWrites_IsRaisedThereAsRemote()
    {
        var first = await OpenStoreAsync();
        var second = await OpenStoreAsync();
        var firstRemote = new List<RecordKey>();
        var firstLocal = new List<RecordKey>();
        var secondSaw = new TaskCompletionSource<RecordChangedEventArgs>(TaskCreationOptions.RunContinuationsAsynchronously);
        var firstSawSecond = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        first.RecordChanged += (_, e) =>
        {
            lock (firstRemote)
            {
                (e.IsLocal ? firstLocal : firstRemote).Add(e.Key);
            }

            if (!e.IsLocal && e.Key == Key("from-second"))
            {
                firstSawSecond.TrySetResult();
            }
        };
        second.RecordChanged += (_, e) => secondSaw.TrySetResult(e);

        await PutAsync(first, Key("from-first"), "1");
        var seen = await secondSaw.Task.WaitAsync(Timeout);
        Assert.Equal(Key("from-first"), seen.Key);
        Assert.False(seen.IsLocal);

        // Notifications arrive in commit order, so once the first instance hears about the second's write it has
        // also received (and must have ignored) the notification of its own earlier write.
        await PutAsync(second, Key("from-second"), "2");
        await firstSawSecond.Task.WaitAsync(Timeout);
        lock (firstRemote)
        {
            Assert.Equal([Key("from-second")], firstRemote);
            Assert.Equal([Key("from-first")], firstLocal);
        }
    }

    [Fact]
    public async Task RecordChanged_WhenMergeCommitsOnAnotherInstance_IsRaisedThereAsRemote()
    {
        var first = await OpenStoreAsync();
        var second = await OpenStoreAsync();
        var remoteRegion = await OpenStoreAsync(await Server.CreateDatabaseAsync("remote", Ct), RegionId.Parse("B"));
        var written = await PutAsync(remoteRegion, Key("merged"), "1");
        var secondSaw = new TaskCompletionSource<RecordChangedEventArgs>(TaskCreationOptions.RunContinuationsAsynchronously);
        second.RecordChanged += (_, e) => secondSaw.TrySetResult(e);

        await first.MergeAsync([new KeyedBin(Key("merged"), written.Written)], null, Ct);

        var seen = await secondSaw.Task.WaitAsync(Timeout);
        Assert.Equal(Key("merged"), seen.Key);
        Assert.False(seen.IsLocal);
        AssertSingleBin(await second.ReadAsync(Key("merged"), Ct), written.Written.Dot);
    }

    [Fact]
    public async Task RecordChanged_WhenListenConnectionIsKilled_ReconnectsAndKeepsNotifying()
    {
        var first = await OpenStoreAsync();
        var second = await OpenStoreAsync();
        var relistened = second.WhenListenerReconnectedAsync();
        var seen = new TaskCompletionSource<RecordKey>(TaskCreationOptions.RunContinuationsAsynchronously);
        second.RecordChanged += (_, e) =>
        {
            if (!e.IsLocal)
            {
                seen.TrySetResult(e.Key);
            }
        };

        await ExecuteAsync("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'orleanscausal-listener' AND datname = current_database()");
        await relistened.WaitAsync(Timeout);
        await PutAsync(first, Key("after-reconnect"), "1");

        Assert.Equal(Key("after-reconnect"), await seen.Task.WaitAsync(Timeout));
    }

    [Fact]
    public async Task Put_WhenTheCachedRecordIsStale_RecomputesFromTheStoredRecord()
    {
        var store = await OpenStoreAsync();
        var first = await PutAsync(store, Key("k1"), "\"x\"");
        var other = await PutAsync(store, Key("k2"), "\"y\"");
        // Another writer replaced k1 behind this instance's back, without a notification: its cached copy is stale.
        await ExecuteAsync("""
            UPDATE orleanscausal.records SET clock = (SELECT clock FROM orleanscausal.records WHERE key = 'k2'), version = version + 1 WHERE key = 'k1';
            DELETE FROM orleanscausal.bins WHERE key = 'k1';
            INSERT INTO orleanscausal.bins SELECT namespace, 'k1', replica_region, replica_epoch, counter, value, context, written_at
                FROM orleanscausal.bins WHERE key = 'k2';
            """);

        var written = await PutAsync(store, Key("k1"), "\"z\"");

        // Dots are per record, so k2's first bin has the same dot as k1's first; the values tell them apart.
        Assert.Equal(first.Written.Dot, other.Written.Dot);
        Assert.Equal(
            [(other.Written.Dot, "\"y\""), (written.Written.Dot, "\"z\"")],
            written.Record.Bins.Select(b => (b.Dot, b.Value)));
        Assert.Equal(written.Record, await store.ReadAsync(Key("k1"), Ct));
    }

    private static void AssertSingleBin(CausalRecord record, Dot dot) =>
        Assert.True(record.Bins.Count == 1 && record.Bins[0].Dot == dot, $"expected the single bin {dot}, the record is {record}");
}
