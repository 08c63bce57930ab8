using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace OrleansCausal.Storage.Sqlite;

/// <summary>
/// Schema 4: the change feed's sequence becomes a plain <c>INTEGER PRIMARY KEY</c> (the rowid) instead of
/// <c>AUTOINCREMENT</c>. AUTOINCREMENT keeps its high-water mark in <c>sqlite_sequence</c>, so every commit that appended
/// to the feed also wrote that table's page: one WAL frame of four for a lone put. Without it SQLite gives a new row
/// the largest sequence in the table plus one, which never reuses a sequence as long as the newest entry is never
/// deleted — and feed compaction always keeps it (<see cref="WriterCommands.DeleteChanges"/>). The rows are copied
/// with their sequences. A feed that is empty while <c>sqlite_sequence</c> remembers a sequence (only possible by
/// editing the file by hand) keeps its AUTOINCREMENT table, because the rowid rule would start again at 1.
/// </summary>
internal static class FeedWithoutAutoincrementMigration
{
    private const string Rebuild =
        """
        CREATE TABLE changes_v4 (
            seq INTEGER PRIMARY KEY,
            namespace TEXT NOT NULL,
            key TEXT NOT NULL,
            bin BLOB NOT NULL);
        INSERT INTO changes_v4 (seq, namespace, key, bin) SELECT seq, namespace, key, bin FROM changes ORDER BY seq;
        DROP TABLE changes;
        ALTER TABLE changes_v4 RENAME TO changes;
        DELETE FROM sqlite_sequence WHERE name = 'changes';
        """;

    public static void Apply(SqliteConnection connection, string path, ILogger logger)
    {
        using var check = connection.CreateCommand();
        check.CommandText =
            "SELECT (SELECT COUNT(*) FROM changes) = 0 AND COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'changes'), 0) > 0";
        if ((long)check.ExecuteScalar()! == 1)
        {
            return;
        }

        SqliteSchema.Execute(connection, Rebuild);
    }
}
