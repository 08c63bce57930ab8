using System.Globalization;
using Microsoft.Data.Sqlite;

namespace OrleansCausal.Storage.Sqlite;

/// <summary>Opens connections to the store file with the settings every connection needs.</summary>
internal static class SqliteConnections
{
    public static string ConnectionString(SqliteRecordStoreOptions options, bool create) =>
        new SqliteConnectionStringBuilder
        {
            DataSource = options.Path,
            Mode = create ? SqliteOpenMode.ReadWriteCreate : SqliteOpenMode.ReadWrite,
            Cache = SqliteCacheMode.Private,
            // The store keeps its own long-lived connections (one writer, a few readers), so no driver pool:
            // closing the store really closes the file.
            Pooling = false,
            DefaultTimeout = (int)Math.Ceiling(options.BusyTimeout.TotalSeconds),
        }.ToString();

    /// <summary>
    /// Opens a connection with the durability settings. WAL lets readers run while one writer commits.
    /// <c>synchronous = FULL</c> makes SQLite fsync the WAL at every commit, so a write is on disk before it is
    /// acknowledged: a power loss or a SIGKILL never loses an acknowledged write (NORMAL would keep the file
    /// consistent but may lose the last commits on power loss, breaking "nothing acknowledged is lost").
    /// Group commit (one transaction per batch) pays for that fsync once per batch instead of once per write.
    /// </summary>
    public static SqliteConnection Open(SqliteRecordStoreOptions options, bool create)
    {
        var connection = new SqliteConnection(ConnectionString(options, create));
        try
        {
            connection.Open();
            var busyMs = (long)options.BusyTimeout.TotalMilliseconds;
            SqliteSchema.Execute(connection, string.Create(CultureInfo.InvariantCulture, $"PRAGMA busy_timeout = {busyMs}"));
            if (create)
            {
                using var journal = connection.CreateCommand();
                journal.CommandText = "PRAGMA journal_mode = WAL";
                var mode = journal.ExecuteScalar() as string;
                if (!string.Equals(mode, "wal", StringComparison.OrdinalIgnoreCase))
                {
                    throw new RecordStoreException($"SQLite store '{options.Path}': could not switch to WAL mode (journal mode is '{mode}').");
                }
            }

            SqliteSchema.Execute(connection, "PRAGMA synchronous = FULL");
            if (create && options.MaxFileSizeBytes > 0)
            {
                using var pageSize = connection.CreateCommand();
                pageSize.CommandText = "PRAGMA page_size";
                var pages = Math.Max(1, options.MaxFileSizeBytes / (long)pageSize.ExecuteScalar()!);
                SqliteSchema.Execute(connection, string.Create(CultureInfo.InvariantCulture, $"PRAGMA max_page_count = {pages}"));
            }

            SqliteSchema.Execute(connection, "PRAGMA foreign_keys = OFF");
            return connection;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }
}
