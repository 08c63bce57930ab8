using Npgsql;
using OrleansCausal.Core;
using OrleansCausal.Core.Serialization;
using OrleansCausal.Storage.Postgres;
using OrleansCausal.Tests.Shared;

namespace OrleansCausal.Storage.Tests.Postgres;

/// <summary>Schema 2: one row per bin, and the migration of databases that hold one encoded blob per record.</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresPerBinSchemaTests(PostgresServer server) : PostgresTestBase(server)
{
    private const string Schema = PostgresRecordStoreOptions.DefaultSchema;
    private static readonly ReplicaId ReplicaA = new(RegionA, 7);
    private static readonly ReplicaId ReplicaB = new(RegionId.Parse("B"), 9);
    private static readonly DateTimeOffset At = DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_000);

    [Fact]
    public async Task Open_WhenDatabaseHoldsEncodedBlobs_MigratesThemToBinRowsAndReadsBackIdenticalRecords()
    {
        var siblings = CausalRecord.Empty.Put(ReplicaA, "\"12F\"", VersionVector.Empty, At).Record
            .Merge([new Bin(new Dot(ReplicaB, 1), "\"10D\"", VersionVector.Empty, At.AddSeconds(1))]).Record;
        var superseded = siblings.Put(ReplicaA, "\"5C\"", siblings.Context, At.AddSeconds(2)).Record;
        var deleted = CausalRecord.Empty.Put(ReplicaA, null, VersionVector.Empty, At).Record;
        await CreateBlobSchemaDatabaseAsync(
            (Key("siblings"), CausalBinaryCodec.EncodeRecord(siblings), 3),
            (Key("superseded"), CausalBinaryCodec.EncodeRecord(superseded), 5),
            (Key("deleted"), CausalBinaryCodec.EncodeRecord(deleted), 1),
            (Key("corrupt"), [0x01, 0xff, 0x02], 2));

        var store = await OpenStoreAsync();

        Assert.Equal(ReplicaA, store.Replica);
        Assert.Equal(new StoredRecord(siblings, 3), await store.LoadAsync(Key("siblings"), Ct));
        Assert.Equal(new StoredRecord(superseded, 5), await store.LoadAsync(Key("superseded"), Ct));
        Assert.Equal(new StoredRecord(deleted, 1), await store.LoadAsync(Key("deleted"), Ct));
        var corrupt = await Assert.ThrowsAsync<RecordStoreException>(() => store.LoadAsync(Key("corrupt"), Ct));
        Assert.Equal(Key("corrupt"), corrupt.Key);
        Assert.Contains("corrupt_records", corrupt.Message, StringComparison.Ordinal);
        Assert.Equal(
            [$"pg/corrupt {Convert.ToHexString([0x01, 0xff, 0x02])}", "pg/deleted 1", "pg/siblings 2", "pg/superseded 1"],
            await QueryAsync($"""
                SELECT namespace || '/' || key || ' ' || count(*)::text FROM {Schema}.bins GROUP BY namespace, key
                UNION ALL SELECT namespace || '/' || key || ' ' || upper(encode(data, 'hex')) FROM {Schema}.corrupt_records
                ORDER BY 1
                """));
        Assert.Equal([$"{PostgresSchema.CurrentVersion}"], await QueryAsync($"SELECT max(version)::text FROM {Schema}.schema_version"));
        Assert.Empty(await QueryAsync($"SELECT column_name::text FROM information_schema.columns WHERE table_schema = '{Schema}' AND table_name = 'records' AND column_name = 'data'"));

        // Migrated records keep working: a put continues from the migrated clock and version.
        var next = await PutAsync(store, Key("siblings"), "\"7A\"", siblings.Context);
        Assert.Equal((new Dot(ReplicaA, 2), 4L), (next.Written.Dot, next.Version));
        Assert.Equal(new StoredRecord(next.Record, 4), await store.LoadAsync(Key("siblings"), Ct));
        Assert.Equal([Key("deleted"), Key("siblings"), Key("superseded")], (await store.ScanAsync(Key("corrupt"), 10, Ct)).Select(r => r.Key));
    }

    [Fact]
    public async Task Put_WhenSiblingsComeAndGo_KeepsExactlyOneRowPerLiveBin()
    {
        var store = await OpenStoreAsync();
        var key = Key("rows");
        await PutAsync(store, key, "1");
        await PutAsync(store, key, "2");
        var third = await PutAsync(store, key, "3");
        var binRows = $"SELECT replica_region || '.' || replica_epoch || '.' || counter || '=' || coalesce(value, '⊥') FROM {Schema}.bins WHERE key = 'rows' ORDER BY counter";
        var epoch = store.Replica.Epoch;
        Assert.Equal([$"A.{epoch}.1=1", $"A.{epoch}.2=2", $"A.{epoch}.3=3"], await QueryAsync(binRows));

        var deleted = await PutAsync(store, key, null, third.Record.Context);

        Assert.Equal([$"A.{epoch}.4=⊥"], await QueryAsync(binRows));
        Assert.Equal([$"{deleted.Version} {Convert.ToHexString(CausalBinaryCodec.EncodeVector(deleted.Record.Clock))}"],
            await QueryAsync($"SELECT version || ' ' || upper(encode(clock, 'hex')) FROM {Schema}.records WHERE key = 'rows'"));
        Assert.Equal(4, deleted.Version);
    }

    /// <summary>A database at schema version 1 (records as encoded blobs), as the previous build left it.</summary>
    private async Task CreateBlobSchemaDatabaseAsync(params (RecordKey Key, byte[] Data, long Version)[] records)
    {
        await using var connection = new NpgsqlConnection(Database);
        await connection.OpenAsync(Ct);
        await using var transaction = await connection.BeginTransactionAsync(Ct);
        await PostgresSchema.EnsureAsync(connection, new PostgresSql(Schema), "test", Ct, targetVersion: 1);
        await using (var meta = new NpgsqlCommand($"INSERT INTO {Schema}.meta (id, region, epoch) VALUES (1, 'A', 7)", connection))
        {
            await meta.ExecuteNonQueryAsync(Ct);
        }

        foreach (var (key, data, version) in records)
        {
            await using var insert = new NpgsqlCommand($"INSERT INTO {Schema}.records (namespace, key, data, version) VALUES ($1, $2, $3, $4)", connection);
            insert.Parameters.Add(new NpgsqlParameter { Value = key.Namespace });
            insert.Parameters.Add(new NpgsqlParameter { Value = key.Key });
            insert.Parameters.Add(new NpgsqlParameter { Value = data });
            insert.Parameters.Add(new NpgsqlParameter { Value = version });
            await insert.ExecuteNonQueryAsync(Ct);
        }

        await transaction.CommitAsync(Ct);
    }
}
