using System.Globalization;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using OrleansCausal.Core;

namespace OrleansCausal.Storage.Sqlite;

/// <summary>
/// The file's schema: a version table, forward migrations applied in order, and the <c>meta</c> row that binds the
/// file to one region and one store incarnation (epoch). A file with a newer schema than this build knows is refused.
/// </summary>
internal static class SqliteSchema
{
    /// <summary>Migration i (1-based) takes the schema from version i - 1 to i. Append only; never edit a shipped one.
    /// Each runs inside the opening write transaction.</summary>
    private static readonly Action<SqliteConnection, string, ILogger>[] Migrations =
    [
        static (connection, _, _) => Execute(connection, Schema1),
        PerBinMigration.Apply,
        OperationsMigration.Apply,
        FeedWithoutAutoincrementMigration.Apply,
    ];

    /// <summary>Schema 1: one encoded blob per record (<c>records.record</c>).</summary>
    private const string Schema1 =
        """
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

    public static int CurrentVersion => Migrations.Length;

    /// <summary>Creates or migrates the schema and loads or creates the incarnation, in one write transaction so
    /// that two processes opening a new file at once agree on a single epoch.</summary>
    public static (ReplicaId Replica, bool Created, int From) Open(SqliteConnection connection, string path, RegionId region, TimeProvider time, ILogger logger)
    {
        Execute(connection, "BEGIN IMMEDIATE");
        try
        {
            Execute(connection, "CREATE TABLE IF NOT EXISTS schema_version (id INTEGER PRIMARY KEY CHECK (id = 1), version INTEGER NOT NULL)");
            var version = Convert.ToInt32(Scalar(connection, "SELECT version FROM schema_version WHERE id = 1") ?? 0L, CultureInfo.InvariantCulture);
            if (version > CurrentVersion)
            {
                throw new RecordStoreException(
                    $"SQLite store '{path}' has schema version {version}, newer than version {CurrentVersion} that this build knows. " +
                    "It was written by a newer OrleansCausal; run that version or use another file.");
            }

            for (var next = version + 1; next <= CurrentVersion; next++)
            {
                Migrations[next - 1](connection, path, logger);
                Execute(connection, $"INSERT INTO schema_version (id, version) VALUES (1, {next}) ON CONFLICT (id) DO UPDATE SET version = excluded.version");
            }

            var (replica, created) = LoadOrCreateIncarnation(connection, path, region, time);
            Execute(connection, "COMMIT");
            return (replica, created, version);
        }
        catch
        {
            TryRollback(connection);
            throw;
        }
    }

    private static (ReplicaId Replica, bool Created) LoadOrCreateIncarnation(SqliteConnection connection, string path, RegionId region, TimeProvider time)
    {
        using (var select = connection.CreateCommand())
        {
            select.CommandText = "SELECT region, epoch FROM meta WHERE id = 1";
            using var reader = select.ExecuteReader();
            if (reader.Read())
            {
                var storedRegion = reader.GetString(0);
                var epoch = (uint)reader.GetInt64(1);
                if (!string.Equals(storedRegion, region.Value, StringComparison.Ordinal))
                {
                    throw new RecordStoreException(
                        $"SQLite store '{path}' was created for region '{storedRegion}', not for region '{region}'. " +
                        "Each region needs its own store: point this region at its own file.");
                }

                return (new ReplicaId(region, epoch), false);
            }
        }

        // A new incarnation: a file that was lost and recreated never issues the dots of its predecessor.
        var replica = new ReplicaId(region, ReplicaId.NewEpoch());
        using var insert = connection.CreateCommand();
        insert.CommandText = "INSERT INTO meta (id, region, epoch, created_at) VALUES (1, $region, $epoch, $createdAt)";
        insert.Parameters.AddWithValue("$region", region.Value);
        insert.Parameters.AddWithValue("$epoch", (long)replica.Epoch);
        insert.Parameters.AddWithValue("$createdAt", time.GetUtcNow().ToString("O", CultureInfo.InvariantCulture));
        insert.ExecuteNonQuery();
        return (replica, true);
    }

    /// <summary>Rolls back the open transaction, if any, without hiding the error that led here.</summary>
    internal static void TryRollback(SqliteConnection connection)
    {
        try
        {
            Execute(connection, "ROLLBACK");
        }
        catch (SqliteException)
        {
            // No transaction left to roll back (SQLite may already have rolled it back after the error).
        }
    }

    internal static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private static object? Scalar(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    }
}
