using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using OrleansCausal.Core;
using OrleansCausal.Core.Serialization;

namespace OrleansCausal.Storage.Sqlite;

/// <summary>
/// Reads records from their rows: a <c>records</c> row (version, encoded clock) joined with its <c>bins</c> rows, in
/// one statement so that a reader outside a transaction still sees one committed state. A record whose rows do not
/// decode is reported with its key and never served.
/// </summary>
internal static class RecordRows
{
    /// <summary>One record: version, clock, remembered operations, then the bin columns (no row when the record was
    /// never written).</summary>
    public const string SelectOne =
        $"SELECT r.version, r.clock, r.operations, {BinRow.Columns} FROM records r LEFT JOIN bins b ON b.namespace = r.namespace AND b.key = r.key " +
        "WHERE r.namespace = $p0 AND r.key = $p1";

    /// <summary>A page of records in key order: namespace, key, version, clock, remembered operations, then the bin
    /// columns.</summary>
    public const string SelectFirstPage =
        "SELECT r.namespace, r.key, r.version, r.clock, r.operations, " + BinRow.Columns + " FROM " +
        "(SELECT namespace, key, version, clock, operations FROM records ORDER BY namespace, key LIMIT $p0) r " +
        "LEFT JOIN bins b ON b.namespace = r.namespace AND b.key = r.key ORDER BY r.namespace, r.key";

    /// <summary>As <see cref="SelectFirstPage"/>, for the records after ($p0, $p1).</summary>
    public const string SelectPageAfter =
        "SELECT r.namespace, r.key, r.version, r.clock, r.operations, " + BinRow.Columns + " FROM " +
        "(SELECT namespace, key, version, clock, operations FROM records WHERE namespace > $p0 OR (namespace = $p0 AND key > $p1) ORDER BY namespace, key LIMIT $p2) r " +
        "LEFT JOIN bins b ON b.namespace = r.namespace AND b.key = r.key ORDER BY r.namespace, r.key";

    /// <summary>Reads the result of <see cref="SelectOne"/>; <see cref="StoredRecord.Missing"/> when there is no row.</summary>
    public static StoredRecord ReadOne(SqliteDataReader rows, string path, RecordKey key, ILogger logger)
    {
        if (!rows.Read())
        {
            return StoredRecord.Missing;
        }

        var version = rows.GetInt64(0);
        var clock = (byte[])rows.GetValue(1);
        var operations = rows.IsDBNull(2) ? null : (byte[])rows.GetValue(2);
        var bins = new List<BinRow>();
        do
        {
            if (BinRow.Read(rows, 3) is { } bin)
            {
                bins.Add(bin);
            }
        }
        while (rows.Read());

        return new StoredRecord(Decode(path, key, clock, operations, bins, logger), version);
    }

    /// <summary>Reads the result of a page query: one entry per record, in key order. A corrupt record comes back
    /// with a <c>null</c> record (it was logged).</summary>
    public static List<(RecordKey Key, CausalRecord? Record)> ReadPage(SqliteDataReader rows, string path, ILogger logger)
    {
        var page = new List<(RecordKey, CausalRecord?)>();
        RecordKey? current = null;
        byte[] clock = [];
        byte[]? operations = null;
        var bins = new List<BinRow>();
        while (rows.Read())
        {
            var key = new RecordKey(rows.GetString(0), rows.GetString(1));
            if (current != key)
            {
                if (current is { } done)
                {
                    page.Add((done, TryDecode(path, done, clock, operations, bins, logger)));
                }

                current = key;
                clock = (byte[])rows.GetValue(3);
                operations = rows.IsDBNull(4) ? null : (byte[])rows.GetValue(4);
                bins = [];
            }

            if (BinRow.Read(rows, 5) is { } bin)
            {
                bins.Add(bin);
            }
        }

        if (current is { } last)
        {
            page.Add((last, TryDecode(path, last, clock, operations, bins, logger)));
        }

        return page;
    }

    /// <summary>The record from its clock, remembered operations (null: none) and bin rows; throws
    /// <see cref="RecordStoreException"/> naming the key when they are corrupt or break the record invariants.</summary>
    public static CausalRecord Decode(string path, RecordKey key, byte[] clock, byte[]? operations, IReadOnlyList<BinRow> bins, ILogger logger)
    {
        if (clock.Length == 0)
        {
            // The schema-2 migration's mark for a schema-1 row that did not decode (see PerBinMigration).
            var error = new InvalidDataException($"its schema-1 row did not decode when the file was migrated; the original bytes are kept in table {PerBinMigration.CorruptTable}");
            Log.LogErrorCorruptRecord(logger, path, key.ToString(), error);
            throw new RecordStoreException($"SQLite store '{path}': record {key} is corrupt and cannot be read ({error.Message}).", error, key);
        }

        try
        {
            return CausalRecord.Restore(
                bins.Select(b => b.ToBin()), CausalBinaryCodec.DecodeVector(clock), operations is null ? null : CausalBinaryCodec.DecodeOperations(operations));
        }
        catch (Exception error) when (error is InvalidDataException or ArgumentException or OverflowException or EndOfStreamException)
        {
            Log.LogErrorCorruptRecord(logger, path, key.ToString(), error);
            throw new RecordStoreException($"SQLite store '{path}': record {key} is corrupt and cannot be read ({error.Message}).", error, key);
        }
    }

    public static Bin DecodeBin(string path, long sequence, RecordKey key, byte[] data)
    {
        try
        {
            return CausalBinaryCodec.DecodeBin(data);
        }
        catch (Exception error) when (error is InvalidDataException or ArgumentException or OverflowException or EndOfStreamException)
        {
            throw new RecordStoreException($"SQLite store '{path}': change-feed entry {sequence} of record {key} is corrupt ({error.Message}).", error, key);
        }
    }

    private static CausalRecord? TryDecode(string path, RecordKey key, byte[] clock, byte[]? operations, IReadOnlyList<BinRow> bins, ILogger logger)
    {
        try
        {
            return Decode(path, key, clock, operations, bins, logger);
        }
        catch (RecordStoreException)
        {
            return null;
        }
    }
}
