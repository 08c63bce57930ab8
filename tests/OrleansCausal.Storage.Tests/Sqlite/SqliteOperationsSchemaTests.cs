using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using OrleansCausal.Core;
using OrleansCausal.Storage.Sqlite;

namespace OrleansCausal.Storage.Tests.Sqlite;

/// <summary>The operation-id migration: a file at the previous schema (rows per bin, no operation columns) opens,
/// reads back identical records, and takes writes with operation ids afterwards.</summary>
public sealed class SqliteOperationsSchemaTests : SqliteFileTestBase
{
    private static readonly RegionId Region = RegionId.Parse("A");
    private static readonly DateTimeOffset WrittenAt = DateTimeOffset.FromUnixTimeMilliseconds(1_767_225_600_123);

    [Fact]
    public async Task Open_WhenFileHasThePreviousSchema_MigratesAndReadsRecordsWithoutOperations()
    {
        var path = Path.Combine(TestDirectory, "per-bin.db");
        var replica = new ReplicaId(Region, 0x2345bcde);
        var siblings = CausalRecord.Empty
            .Put(replica, "\"12F\"", VersionVector.Empty, WrittenAt, writer: "browser").Record
            .Put(replica, "\"10D\"", VersionVector.Empty, WrittenAt.AddSeconds(1)).Record;
        var key = new RecordKey("flights", "pax-1");
        CreatePreviousSchemaFile(path, replica, key, siblings);

        var store = SqliteTestFiles.Create(path, Region);
        Stores.Add(store);
        await store.OpenAsync(Ct);

        var loaded = await store.LoadAsync(key, Ct);
        Assert.Equal(new StoredRecord(siblings, 1), loaded);
        Assert.Empty(loaded.Record.Operations);
        Assert.Equal((long)SqliteSchema.CurrentVersion, Raw(path, "SELECT version FROM schema_version"));
        Assert.Equal(2L, Raw(path, "SELECT COUNT(*) FROM bins WHERE operation IS NULL"));

        // The migrated record takes an idempotent write; its id and the remembered set are stored.
        var after = loaded.Record.Put(replica, "\"5C\"", loaded.Record.Context, WrittenAt.AddSeconds(2), operationId: "agent-7").Record;
        await store.WriteAsync(new RecordWrite(key, 1, loaded.Record, after), Ct);
        Assert.Equal("agent-7", Raw(path, "SELECT operation FROM bins"));
        Assert.NotNull(Raw(path, "SELECT operations FROM records"));
        Assert.Equal(new StoredRecord(after, 2), await store.LoadAsync(key, Ct));
    }

    /// <summary>A file as the previous build left it: schema 1 created by hand, then the schema-2 migration that shipped.</summary>
    private static void CreatePreviousSchemaFile(string path, ReplicaId replica, RecordKey key, CausalRecord record)
    {
        SqliteSchema1File.Create(path, replica, [(key, record)], [], []);
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        connection.Open();
        using var transaction = connection.BeginTransaction();
        PerBinMigration.Apply(connection, path, NullLogger.Instance);
        using var version = connection.CreateCommand();
        version.CommandText = "UPDATE schema_version SET version = 2";
        version.ExecuteNonQuery();
        transaction.Commit();
    }
}
