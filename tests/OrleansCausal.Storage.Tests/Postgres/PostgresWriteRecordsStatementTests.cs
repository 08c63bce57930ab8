using Npgsql;
using OrleansCausal.Core;
using OrleansCausal.Storage.Postgres;
using OrleansCausal.Tests.Shared;

namespace OrleansCausal.Storage.Tests.Postgres;

/// <summary>
/// The one-statement write of puts (<see cref="PostgresSql.WriteRecords"/>), run directly against a store's tables: it
/// must be all or nothing across the records of a batch, keep the version check (the compare-and-set against other
/// silos), and append the feed entries with consecutive sequence numbers in feed order.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresWriteRecordsStatementTests(PostgresServer server) : PostgresTestBase(server)
{
    private static readonly PostgresSql Sql = new("orleanscausal");
    private PostgresRecordStore? _reader;

    [Fact]
    public async Task WriteRecords_WhenOneRecordOfTheBatchIsStale_FailsAsStaleAndWritesNothing()
    {
        var (k1, k2) = (Key("k1"), Key("k2"));
        var (store, before) = await WrittenOnceAsync(k1, k2);
        // k2 is written as if its row were still at version 0 (another silo moved it on since).
        var writes = Replace(store, (k1, before[0].Stored, before[0].Stored.Version), (k2, before[1].Stored, 0));

        var error = await Assert.ThrowsAsync<PostgresException>(() => RunAsync(writes));

        Assert.Equal(PostgresSql.StaleRecordState, error.SqlState);
        Assert.Equal(before, await SnapshotAsync(k1, k2));
        Assert.Equal(2, await store.GetLastSequenceAsync(Ct));
    }

    [Fact]
    public async Task WriteRecords_WhenEveryVersionHolds_WritesRecordsBinsAndConsecutiveFeedEntriesInFeedOrder()
    {
        var (k1, k2) = (Key("k1"), Key("k2"));
        var (store, before) = await WrittenOnceAsync(k1, k2);
        // Feed order k2 first, then k1: the sequence numbers follow the feed arrays, not the record arrays.
        var writes = Replace(store, (k2, before[1].Stored, before[1].Stored.Version), (k1, before[0].Stored, before[0].Stored.Version));

        var lastSequence = await RunAsync(writes);

        Assert.Equal(4, lastSequence);
        Assert.Equal(
            [new StoredRecord(writes.Records[1], 2), new StoredRecord(writes.Records[0], 2)],
            (await SnapshotAsync(k1, k2)).Select(s => s.Stored));
        var feed = await store.ReadChangesAsync(2, 10, Ct);
        Assert.Equal(
            [(3L, k2, writes.Records[0].Bins.Single().Dot), (4L, k1, writes.Records[1].Bins.Single().Dot)],
            feed.Select(c => (c.Sequence, c.Key, c.Bin.Dot)));
    }

    [Fact]
    public async Task WriteRecords_WhenARecordHasNoRow_FailsAsStaleAndAllocatesNoSequence()
    {
        var (k1, missing) = (Key("k1"), Key("missing"));
        var (store, before) = await WrittenOnceAsync(k1);
        var writes = Replace(store, (k1, before[0].Stored, before[0].Stored.Version), (missing, StoredRecord.Missing, 0));

        var error = await Assert.ThrowsAsync<PostgresException>(() => RunAsync(writes));

        Assert.Equal(PostgresSql.StaleRecordState, error.SqlState);
        Assert.Equal(before, await SnapshotAsync(k1));
        Assert.Equal(StoredRecord.Missing, await store.LoadAsync(missing, Ct));
        Assert.Equal(1, await store.GetLastSequenceAsync(Ct));
    }

    [Fact]
    public async Task WriteRecords_OnSeededRandomBatches_IsAllOrNothingAndNumbersTheFeedInFeedOrder()
    {
        var seed = int.TryParse(Environment.GetEnvironmentVariable("ORLEANSCAUSAL_SEED"), out var pinned) ? pinned : Environment.TickCount & 0x3FFFFFFF;
        var random = new Random(seed);
        var keys = Enumerable.Range(0, 6).Select(i => Key($"r{i}")).ToArray();
        var (store, _) = await WrittenOnceAsync(keys);
        for (var round = 0; round < 25; round++)
        {
            var context = $"seed {seed} (rerun with ORLEANSCAUSAL_SEED={seed}), round {round}";
            var before = await SnapshotAsync(keys);
            var stored = keys.Zip(before).ToDictionary(p => p.First, p => p.Second.Stored);
            var lastBefore = await store.GetLastSequenceAsync(Ct);
            // A random subset of the records in a random order (the feed follows that order); now and then one of
            // them checked against the version before its current one, as if another silo had written it since.
            var chosen = keys.OrderBy(_ => random.Next()).Take(random.Next(1, keys.Length + 1)).ToArray();
            var stale = random.Next(3) == 0 ? random.Next(chosen.Length) : -1;
            var writes = Replace(store, [.. chosen.Select((key, i) => (key, stored[key], stored[key].Version - (i == stale ? 1 : 0)))]);

            if (stale >= 0)
            {
                var error = await Assert.ThrowsAsync<PostgresException>(() => RunAsync(writes));
                Assert.True(error.SqlState == PostgresSql.StaleRecordState, $"{context}: {error.SqlState} {error.MessageText}");
                Assert.True(before.SequenceEqual(await SnapshotAsync(keys)), $"{context}: a failed batch changed rows");
                Assert.True(lastBefore == await store.GetLastSequenceAsync(Ct), $"{context}: a failed batch allocated sequences");
                continue;
            }

            var lastSequence = await RunAsync(writes);

            Assert.True(lastBefore + chosen.Length == lastSequence, $"{context}: last sequence {lastSequence} after {lastBefore} for {chosen.Length} entries");
            var feed = await store.ReadChangesAsync(lastBefore, 100, Ct);
            Assert.True(
                chosen.Select((key, i) => (lastBefore + i + 1, key, writes.Records[i].Bins.Single().Dot)).SequenceEqual(feed.Select(c => (c.Sequence, c.Key, c.Bin.Dot))),
                $"{context}: feed {string.Join(", ", feed.Select(c => $"{c.Sequence}:{c.Key}"))} for batch {string.Join(", ", chosen)}");
            var after = await SnapshotAsync(keys);
            for (var k = 0; k < keys.Length; k++)
            {
                var i = Array.IndexOf(chosen, keys[k]);
                var expected = i < 0 ? before[k].Stored : new StoredRecord(writes.Records[i], before[k].Stored.Version + 1);
                Assert.True(expected == after[k].Stored, $"{context}: {keys[k]} is {after[k].Stored}, expected {expected}");
            }
        }
    }

    /// <summary>A store in which each of <paramref name="keys"/> was put once, in order (feed sequences 1, 2, …), and
    /// what its records and bin rows are then.</summary>
    private async Task<(PostgresRecordStore Store, List<(StoredRecord Stored, string Bins)> Before)> WrittenOnceAsync(params RecordKey[] keys)
    {
        var store = await OpenStoreAsync();
        foreach (var key in keys)
        {
            await PutAsync(store, key, $"\"{key.Key}\"");
        }

        return (store, await SnapshotAsync(keys));
    }

    /// <summary>Each key's record replaced by a put of a new value that covers what it read (one bin deleted, one
    /// inserted, one feed entry), computed from <c>Stored</c> but checked against <c>Expected</c>.</summary>
    private static PostgresTransactionWrites Replace(PostgresRecordStore store, params (RecordKey Key, StoredRecord Stored, long Expected)[] records)
    {
        var writes = new PostgresTransactionWrites();
        var now = DateTimeOffset.FromUnixTimeMilliseconds(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        foreach (var (key, stored, expected) in records)
        {
            var outcome = stored.Record.Put(store.Replica, $"\"new {key.Key}\"", stored.Record.Clock, now);
            writes.AddToFeed(key, outcome.Written);
            writes.AddRecord(key, stored.Record, outcome.Record, expected, expected + 1);
        }

        return writes;
    }

    private async Task<long> RunAsync(PostgresTransactionWrites writes)
    {
        await using var connection = new NpgsqlConnection(Database);
        await connection.OpenAsync(Ct);
        await using var batch = new NpgsqlBatch(connection);
        batch.BatchCommands.Add(writes.WriteRecordsCommand(Sql));
        return (long)(await batch.ExecuteScalarAsync(Ct))!;
    }

    /// <summary>Each record as a fresh store instance reads it (no cache), with the bin rows stored for it.</summary>
    private async Task<List<(StoredRecord Stored, string Bins)>> SnapshotAsync(params RecordKey[] keys)
    {
        // LoadAsync always reads the rows (the cache only serves writes), so one reader instance will do.
        var reader = _reader ??= await OpenStoreAsync();
        var snapshot = new List<(StoredRecord, string)>();
        foreach (var key in keys)
        {
            var rows = await QueryAsync($"SELECT string_agg(replica_region || ':' || counter || '=' || coalesce(value, 'null'), ',' ORDER BY counter) FROM orleanscausal.bins WHERE key = '{key.Key}'");
            snapshot.Add((await reader.LoadAsync(key, Ct), rows.Single()));
        }

        return snapshot;
    }
}
