using Npgsql;
using OrleansCausal.Core;
using OrleansCausal.Core.Serialization;
using OrleansCausal.Storage.Postgres;
using OrleansCausal.Tests.Shared;

namespace OrleansCausal.Storage.Tests.Postgres;

/// <summary>The operation-id migration: a database at the previous schema (rows per bin, no operation columns)
/// opens, reads back identical records, and takes writes with operation ids afterwards.</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresOperationsSchemaTests(PostgresServer server) : PostgresTestBase(server)
{
    private const string Schema = PostgresRecordStoreOptions.DefaultSchema;
    private static readonly ReplicaId ReplicaA = new(RegionA, 7);
    private static readonly DateTimeOffset At = DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_000);

    [Fact]
    public async Task Open_WhenDatabaseHasThePreviousSchema_MigratesAndReadsRecordsWithoutOperations()
    {
        var record = CausalRecord.Empty.Put(ReplicaA, "\"12F\"", VersionVector.Empty, At, writer: "browser").Record
            .Put(ReplicaA, "\"10D\"", VersionVector.Empty, At.AddSeconds(1)).Record;
        await CreatePreviousSchemaDatabaseAsync(Key("pax-1"), record, version: 4);

        var store = await OpenStoreAsync();

        var loaded = await store.LoadAsync(Key("pax-1"), Ct);
        Assert.Equal(new StoredRecord(record, 4), loaded);
        Assert.Empty(loaded.Record.Operations);
        Assert.Equal([$"{PostgresSchema.CurrentVersion}"], await QueryAsync($"SELECT max(version)::text FROM {Schema}.schema_version"));

        var after = loaded.Record.Put(ReplicaA, "\"5C\"", loaded.Record.Context, At.AddSeconds(2), operationId: "agent-7").Record;
        await store.WriteAsync(new RecordWrite(Key("pax-1"), 4, loaded.Record, after), Ct);
        Assert.Equal(["agent-7"], await QueryAsync($"SELECT operation FROM {Schema}.bins"));
        Assert.Equal(["true"], await QueryAsync($"SELECT (operations IS NOT NULL)::text FROM {Schema}.records"));
        var reopened = await OpenStoreAsync();
        Assert.Equal(new StoredRecord(after, 5), await reopened.LoadAsync(Key("pax-1"), Ct));
    }

    /// <summary>A database migrated to schema 2 by the migrations that shipped, with one record written in its rows.</summary>
    private async Task CreatePreviousSchemaDatabaseAsync(RecordKey key, CausalRecord record, long version)
    {
        await using var connection = new NpgsqlConnection(Database);
        await connection.OpenAsync(Ct);
        await using var transaction = await connection.BeginTransactionAsync(Ct);
        await PostgresSchema.EnsureAsync(connection, new PostgresSql(Schema), "test", Ct, targetVersion: 2);
        await ExecuteAsync(connection, $"INSERT INTO {Schema}.meta (id, region, epoch) VALUES (1, 'A', 7)");
        await ExecuteAsync(connection, $"INSERT INTO {Schema}.records (namespace, key, version, clock) VALUES ($1, $2, $3, $4)",
            key.Namespace, key.Key, version, CausalBinaryCodec.EncodeVector(record.Clock));
        foreach (var bin in record.Bins)
        {
            await ExecuteAsync(connection,
                $"INSERT INTO {Schema}.bins (namespace, key, replica_region, replica_epoch, counter, value, context, written_at, writer) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                key.Namespace, key.Key, bin.Dot.Replica.Region.Value, (long)bin.Dot.Replica.Epoch, (long)bin.Dot.Counter, (object?)bin.Value ?? DBNull.Value,
                CausalBinaryCodec.EncodeVector(bin.Context), bin.WrittenAt.UtcDateTime, (object?)bin.Writer ?? DBNull.Value);
        }

        await transaction.CommitAsync(Ct);
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, params object[] values)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var value in values)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = value });
        }

        await command.ExecuteNonQueryAsync(Ct);
    }
}
