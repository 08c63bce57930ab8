using Microsoft.Data.Sqlite;
using OrleansCausal.Core;
using OrleansCausal.Core.Serialization;

namespace OrleansCausal.Storage.Sqlite;

/// <summary>
/// A bin as one row of the <c>bins</c> table: its dot (replica text and counter), the value (NULL for a tombstone),
/// the encoded context, the accepted time in Unix milliseconds (the precision the codec keeps), the writer (NULL
/// when unknown) and the operation id (NULL when none).
/// Counters are stored as SQLite's signed 64-bit integers and read back bit for bit.
/// </summary>
internal readonly record struct BinRow(string Replica, long Counter, string? Value, byte[] Context, long WrittenAtMs, string? Writer, string? Operation)
{
    /// <summary>The columns, in the order <see cref="Read"/> expects them, of a query that aliases the table as <c>b</c>.</summary>
    public const string Columns = "b.replica, b.counter, b.value, b.context, b.written_at, b.writer, b.operation";

    public static BinRow From(Bin bin) =>
        new(bin.Dot.Replica.ToString(), unchecked((long)bin.Dot.Counter), bin.Value, CausalBinaryCodec.EncodeVector(bin.Context), bin.WrittenAt.ToUnixTimeMilliseconds(), bin.Writer, bin.OperationId);

    /// <summary>The bin at <paramref name="offset"/>, or <c>null</c> where a LEFT JOIN found none.</summary>
    public static BinRow? Read(SqliteDataReader rows, int offset) =>
        rows.IsDBNull(offset)
            ? null
            : new BinRow(
                rows.GetString(offset),
                rows.GetInt64(offset + 1),
                rows.IsDBNull(offset + 2) ? null : rows.GetString(offset + 2),
                (byte[])rows.GetValue(offset + 3),
                rows.GetInt64(offset + 4),
                rows.IsDBNull(offset + 5) ? null : rows.GetString(offset + 5),
                rows.IsDBNull(offset + 6) ? null : rows.GetString(offset + 6));

    /// <summary>The bin; throws <see cref="InvalidDataException"/> (or what the codec throws) when the row is corrupt.</summary>
    public Bin ToBin()
    {
        if (!ReplicaId.TryParse(Replica, out var replica))
        {
            throw new InvalidDataException($"'{Replica}' is not a replica id.");
        }

        try
        {
            return new Bin(new Dot(replica, unchecked((ulong)Counter)), Value, CausalBinaryCodec.DecodeVector(Context), DateTimeOffset.FromUnixTimeMilliseconds(WrittenAtMs), Writer, Operation);
        }
        catch (ArgumentException error)
        {
            throw new InvalidDataException(error.Message, error);
        }
    }

    /// <summary>The key columns of the row's dot, for deletes: (replica, counter).</summary>
    public static (string Replica, long Counter) DotKey(Dot dot) => (dot.Replica.ToString(), unchecked((long)dot.Counter));
}
