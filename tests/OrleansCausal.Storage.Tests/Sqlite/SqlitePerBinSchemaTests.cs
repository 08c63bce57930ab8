using Microsoft.Data.Sqlite;
using OrleansCausal.Core;
using OrleansCausal.Storage.Sqlite;

namespace OrleansCausal.Storage.Tests.Sqlite;

/// <summary>The per-bin schema (schema 2): rows per bin, the migration of schema-1 files, corrupt rows, and
/// conditional writes sharing one group commit.</summary>
public sealed class SqlitePerBinSchemaTests : SqliteFileTestBase
{
    private static readonly RegionId Region = RegionId.Parse("A");
    private static readonly DateTimeOffset WrittenAt = DateTimeOffset.FromUnixTimeMilliseconds(1_767_225_600_123);

    [Fact]
    public async Task Open_WhenFileHasSchema1_MigratesEveryRecordToBinRowsAtVersionOne()
    {
        var path = Path.Combine(TestDirectory, "schema1.db");
        var replica = new ReplicaId(Region, 0x1234abcd);
        var remote = new ReplicaId(RegionId.Parse("B"), 7);
        var siblings = CausalRecord.Empty
            .Put(replica, "\"12F\"", VersionVector.Empty, WrittenAt).Record
            .Put(replica, "\"10D\"", VersionVector.Empty, WrittenAt.AddSeconds(1)).Record
            .Merge([new Bin(new Dot(remote, 3), "{\"seat\":\"5C\"}", VersionVector.Empty, WrittenAt)]).Record;
        var deleted = CausalRecord.Empty
            .Put(replica, "1", VersionVector.Empty, WrittenAt).Record;
        deleted = deleted.Delete(replica, deleted.Clock, WrittenAt).Record;
        var records = new (RecordKey Key, CausalRecord? Record)[]
        {
            (new RecordKey("flights", "12"), siblings),
            (new RecordKey("flights", "bad"), null),
            (new RecordKey("flights", "gone"), deleted),
        };
        var changes = siblings.Bins.Where(b => b.Dot.Replica == replica).Select(b => (new RecordKey("flights", "12"), b)).ToArray();
        SqliteSchema1File.Create(path, replica, records, changes, [0x01, 0xFF, 0xFF, 0xFF]);

        var store = await OpenAsync(path);

        Assert.Equal(replica, store.Replica);
        Assert.Equal((long)SqliteSchema.CurrentVersion, Raw(path, "SELECT version FROM schema_version"));
        Assert.Equal(new StoredRecord(siblings, 1), await store.LoadAsync(new RecordKey("flights", "12"), Ct));
        Assert.Equal(new StoredRecord(deleted, 1), await store.LoadAsync(new RecordKey("flights", "gone"), Ct));
        Assert.Equal(4L, Raw(path, "SELECT COUNT(*) FROM bins"));
        Assert.Equal(0L, Raw(path, "SELECT COUNT(*) FROM sqlite_schema WHERE name = 'records_v1'"));
        var error = await Assert.ThrowsAsync<RecordStoreException>(() => store.LoadAsync(new RecordKey("flights", "bad"), Ct));
        Assert.Equal(new RecordKey("flights", "bad"), error.Key);
        Assert.Equal(new byte[] { 0x01, 0xFF, 0xFF, 0xFF }, (byte[]?)Raw(path, "SELECT record FROM corrupt_records_v1 WHERE key = 'bad'"));
        Assert.Equal([new RecordKey("flights", "12"), new RecordKey("flights", "gone")], (await store.ScanAsync(null, 10, Ct)).Select(r => r.Key).ToArray());
        Assert.Equal(changes.Select(c => c.Item2).ToArray(), (await store.ReadChangesAsync(0, 10, Ct)).Select(c => c.Bin).ToArray());

        var next = await store.PutAsync(new PutRequest(new RecordKey("flights", "12"), "\"1A\"", VersionVector.Empty), Ct);
        Assert.Equal((new Dot(replica, 3), 2L, 3L), (next.Written.Dot, next.Version, next.Sequence));
        await Assert.ThrowsAsync<RecordStoreException>(() => store.PutAsync(new PutRequest(new RecordKey("flights", "bad"), "1", VersionVector.Empty), Ct));
    }

    [Fact]
    public async Task PutAndWrite_StoreOneRowPerBinAndDeleteTheRowsTheySupersede()
    {
        var path = Path.Combine(TestDirectory, "rows.db");
        var store = await OpenAsync(path);
        var key = new RecordKey("n", "k");
        for (var i = 0; i < 3; i++)
        {
            await store.PutAsync(new PutRequest(key, $"{i}", VersionVector.Empty), Ct);
        }

        await store.PutAsync(new PutRequest(new RecordKey("n", "other"), "9", VersionVector.Empty), Ct);
        var rowsAfterPuts = Raw(path, "SELECT COUNT(*) FROM bins WHERE key = 'k'");
        var loaded = await store.LoadAsync(key, Ct);
        var after = loaded.Record.Delete(store.Replica, loaded.Record.Clock, WrittenAt).Record;

        await store.WriteAsync(new RecordWrite(key, loaded.Version, loaded.Record, after), Ct);

        Assert.Equal(3L, rowsAfterPuts);
        Assert.Equal(
            $"{store.Replica}|4|tombstone|4",
            Raw(path, "SELECT replica || '|' || counter || '|' || COALESCE(value, 'tombstone') || '|' || (SELECT version FROM records WHERE key = 'k') FROM bins WHERE key = 'k'"));
        Assert.Equal(1L, Raw(path, "SELECT COUNT(*) FROM bins WHERE key = 'k'"));
        Assert.Equal(1L, Raw(path, "SELECT COUNT(*) FROM bins WHERE key = 'other'"));
    }

    [Fact]
    public async Task Load_WhenBinRowIsCorrupt_ReportsThatKeyAndKeepsServingOthers()
    {
        var path = Path.Combine(TestDirectory, "corrupt-bin.db");
        var store = await OpenAsync(path);
        var bad = new RecordKey("n", "bad");
        var good = new RecordKey("n", "good");
        await store.PutAsync(new PutRequest(bad, "1", VersionVector.Empty), Ct);
        var kept = await store.PutAsync(new PutRequest(good, "2", VersionVector.Empty), Ct);
        Raw(path, "UPDATE bins SET context = X'05' WHERE key = 'bad'");

        var error = await Assert.ThrowsAsync<RecordStoreException>(() => store.LoadAsync(bad, Ct));
        var writeError = await Assert.ThrowsAsync<RecordStoreException>(() =>
            store.WriteAsync(new RecordWrite(bad, 1, CausalRecord.Empty, CausalRecord.Empty), Ct));

        Assert.Equal((bad, bad), (error.Key, writeError.Key));
        Assert.Contains("n/bad", error.Message, StringComparison.Ordinal);
        Assert.Equal(new StoredRecord(kept.Record, 1), await store.LoadAsync(good, Ct));
        Assert.Equal([good], (await store.ScanAsync(null, 10, Ct)).Select(r => r.Key).ToArray());
    }

    /// <summary>The burst is queued from a RecordChanged handler, which the writer runs after its commit while it
    /// still holds the writer role: every write of the burst is queued before the next batch is taken, so they all
    /// share that one transaction.</summary>
    [Fact]
    public async Task Write_WhenBurstSharesOneBatch_StaleWriteFailsAloneAndTheOthersCommit()
    {
        const int Keys = 32;
        var store = await OpenAsync(Path.Combine(TestDirectory, "burst.db"));
        var keys = Enumerable.Range(0, Keys).Select(i => new RecordKey("n", $"k{i}")).ToArray();
        foreach (var key in keys)
        {
            await store.PutAsync(new PutRequest(key, "0", VersionVector.Empty), Ct);
        }

        var loaded = await Task.WhenAll(keys.Select(k => store.LoadAsync(k, Ct)));
        var writes = keys.Select((k, i) => new RecordWrite(k, 1, loaded[i].Record,
            loaded[i].Record.Put(store.Replica, $"{i}", loaded[i].Record.Clock, WrittenAt).Record)).ToArray();
        // Stale: computed from version 0 of a key that the burst itself writes first (to version 2).
        var stale = new RecordWrite(keys[0], 1, loaded[0].Record, loaded[0].Record.Put(store.Replica, "\"stale\"", loaded[0].Record.Clock, WrittenAt).Record);
        var trigger = new RecordKey("n", "trigger");
        Task<RecordWriteResult>[]? burst = null;
        store.RecordChanged += (_, e) =>
        {
            if (e.Key == trigger && burst is null)
            {
                burst = [.. writes.Take(1).Append(stale).Concat(writes.Skip(1)).Select(w => store.WriteAsync(w, Ct))];
            }
        };

        await store.PutAsync(new PutRequest(trigger, "0", VersionVector.Empty), Ct);
        Assert.NotNull(burst);
        var error = await Assert.ThrowsAsync<RecordVersionConflictException>(() => burst[1]);
        var results = await Task.WhenAll(burst.Where((_, i) => i != 1));

        Assert.Equal((keys[0], 1L, 2L), (error.Key, error.ExpectedVersion, error.ActualVersion));
        Assert.All(results, r => Assert.Equal(2, r.Version));
        Assert.Equal(Enumerable.Range(Keys + 2, Keys).Select(i => (long)i), results.Select(r => r.LastSequence));
        Assert.Equal(new StoredRecord(writes[0].After, 2), await store.LoadAsync(keys[0], Ct));
    }

    private async Task<SqliteRecordStore> OpenAsync(string path)
    {
        var store = SqliteTestFiles.Create(path, Region);
        Stores.Add(store);
        await store.OpenAsync(Ct);
        return store;
    }
}
