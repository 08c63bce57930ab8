using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using OrleansCausal.Core;
using OrleansCausal.Core.Serialization;

namespace OrleansCausal.Storage.Sqlite;

/// <summary>
/// Schema 2: a record is stored bin by bin. <c>records</c> keeps one row per record with its version (bumped by every
/// change; the conditional write's ETag) and its encoded clock; <c>bins</c> keeps one row per bin, keyed by record and
/// dot. Both are WITHOUT ROWID tables, so a record's bins are stored together in dot order and read with one range
/// scan. Schema-1 rows (one encoded blob per record) are decoded and rewritten as rows at version 1 in the opening
/// transaction; a row that does not decode is moved, bytes intact, to <see cref="CorruptTable"/> and its record is
/// marked corrupt (an empty clock), so it is still reported with its key and never reissues a dot.
/// </summary>
internal static class PerBinMigration
{
    public const string CorruptTable = "corrupt_records_v1";

    private const string Schema =
        $"""
        ALTER TABLE records RENAME TO records_v1;
        CREATE TABLE records (
            namespace TEXT NOT NULL,
            key TEXT NOT NULL,
            version INTEGER NOT NULL,
            clock BLOB NOT NULL,
            PRIMARY KEY (namespace, key)) WITHOUT ROWID;
        CREATE TABLE bins (
            namespace TEXT NOT NULL,
            key TEXT NOT NULL,
            replica TEXT NOT NULL,
            counter INTEGER NOT NULL,
            value TEXT NULL,
            context BLOB NOT NULL,
            written_at INTEGER NOT NULL,
            writer TEXT NULL,
            PRIMARY KEY (namespace, key, replica, counter)) WITHOUT ROWID;
        CREATE TABLE {CorruptTable} (
            namespace TEXT NOT NULL,
            key TEXT NOT NULL,
            record BLOB NOT NULL,
            error TEXT NOT NULL,
            PRIMARY KEY (namespace, key)) WITHOUT ROWID;
        """;

    public static void Apply(SqliteConnection connection, string path, ILogger logger)
    {
        SqliteSchema.Execute(connection, Schema);
        // Statements of schema 2's own columns: later migrations add columns that the writer's statements fill.
        using var upsertRecord = WriterCommands.Create(connection,
            "INSERT INTO records (namespace, key, version, clock) VALUES ($p0, $p1, 1, $p2)", "$p0", "$p1", "$p2");
        using var insertBin = WriterCommands.Create(connection,
            "INSERT INTO bins (namespace, key, replica, counter, value, context, written_at, writer) VALUES ($p0, $p1, $p2, $p3, $p4, $p5, $p6, $p7)",
            "$p0", "$p1", "$p2", "$p3", "$p4", "$p5", "$p6", "$p7");
        using var corrupt = WriterCommands.Create(connection,
            $"INSERT INTO {CorruptTable} (namespace, key, record, error) VALUES ($p0, $p1, $p2, $p3)", "$p0", "$p1", "$p2", "$p3");
        using var select = connection.CreateCommand();
        select.CommandText = "SELECT namespace, key, record FROM records_v1";
        using (var rows = select.ExecuteReader())
        {
            while (rows.Read())
            {
                var key = new RecordKey(rows.GetString(0), rows.GetString(1));
                var data = (byte[])rows.GetValue(2);
                CausalRecord record;
                try
                {
                    record = CausalBinaryCodec.DecodeRecord(data);
                }
                catch (Exception error) when (error is InvalidDataException or ArgumentException or OverflowException or EndOfStreamException)
                {
                    Log.LogErrorCorruptRecord(logger, path, key.ToString(), error);
                    WriterCommands.Bind(corrupt, key.Namespace, key.Key, data, error.Message);
                    corrupt.ExecuteNonQuery();
                    WriterCommands.Bind(upsertRecord, key.Namespace, key.Key, Array.Empty<byte>());
                    upsertRecord.ExecuteNonQuery();
                    continue;
                }

                WriterCommands.Bind(upsertRecord, key.Namespace, key.Key, CausalBinaryCodec.EncodeVector(record.Clock));
                upsertRecord.ExecuteNonQuery();
                foreach (var bin in record.Bins)
                {
                    var row = BinRow.From(bin);
                    WriterCommands.Bind(insertBin, key.Namespace, key.Key, row.Replica, row.Counter, (object?)row.Value ?? DBNull.Value, row.Context, row.WrittenAtMs,
                        (object?)row.Writer ?? DBNull.Value);
                    insertBin.ExecuteNonQuery();
                }
            }
        }

        SqliteSchema.Execute(connection, "DROP TABLE records_v1");
    }
}
