using Microsoft.Data.Sqlite;
using OrleansCausal.Core;
using OrleansCausal.Core.Serialization;

namespace OrleansCausal.Storage.Tests.Sqlite;

/// <summary>Builds a store file the way schema 1 (one encoded blob per record) left it, by hand, with the DDL that
/// shipped as migration 1.</summary>
internal static class SqliteSchema1File
{
    private const string Ddl =
        """
        CREATE TABLE schema_version (id INTEGER PRIMARY KEY CHECK (id = 1), version INTEGER NOT NULL);
        INSERT INTO schema_version (id, version) VALUES (1, 1);
        CREATE TABLE meta (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            region TEXT NOT NULL,
            epoch INTEGER NOT NULL,
            created_at TEXT NOT NULL);
        CREATE TABLE records (
            namespace TEXT NOT NULL,
            key TEXT NOT NULL,
            record BLOB NOT NULL,
            PRIMARY KEY (namespace, key));
        CREATE TABLE changes (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            namespace TEXT NOT NULL,
            key TEXT NOT NULL,
            bin BLOB NOT NULL);
        CREATE TABLE checkpoints (
            name TEXT PRIMARY KEY,
            seq INTEGER NOT NULL) WITHOUT ROWID;
        CREATE TABLE inbound_positions (
            source TEXT PRIMARY KEY,
            seq INTEGER NOT NULL) WITHOUT ROWID;
        """;

    /// <summary>Writes the file: <paramref name="replica"/>'s incarnation, the records as blobs (a <c>null</c> record
    /// writes <paramref name="corrupt"/> bytes instead), and the given change-feed bins.</summary>
    public static void Create(string path, ReplicaId replica, IEnumerable<(RecordKey Key, CausalRecord? Record)> records, IEnumerable<(RecordKey Key, Bin Bin)> changes, byte[] corrupt)
    {
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        connection.Open();
        using var transaction = connection.BeginTransaction();
        Execute(connection, Ddl);
        Execute(connection, "INSERT INTO meta (id, region, epoch, created_at) VALUES (1, $p0, $p1, '2026-01-01T00:00:00.0000000+00:00')", replica.Region.Value, (long)replica.Epoch);
        foreach (var (key, record) in records)
        {
            Execute(connection, "INSERT INTO records (namespace, key, record) VALUES ($p0, $p1, $p2)",
                key.Namespace, key.Key, record is null ? corrupt : CausalBinaryCodec.EncodeRecord(record));
        }

        foreach (var (key, bin) in changes)
        {
            Execute(connection, "INSERT INTO changes (namespace, key, bin) VALUES ($p0, $p1, $p2)", key.Namespace, key.Key, CausalBinaryCodec.EncodeBin(bin));
        }

        transaction.Commit();
    }

    private static void Execute(SqliteConnection connection, string sql, params object[] values)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        for (var i = 0; i < values.Length; i++)
        {
            command.Parameters.AddWithValue($"$p{i}", values[i]);
        }

        command.ExecuteNonQuery();
    }
}
