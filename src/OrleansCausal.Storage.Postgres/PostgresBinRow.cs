using OrleansCausal.Core;
using OrleansCausal.Core.Serialization;

namespace OrleansCausal.Storage.Postgres;

/// <summary>
/// One bin as a row of the <c>bins</c> table: the dot (replica region, replica epoch, counter), the value (NULL for a
/// tombstone), the writer's context (the codec's vector encoding), the accepted time (millisecond precision, as
/// in the codec), the writer's name (NULL when unknown) and the operation id (NULL when none). Counters are <c>ulong</c> and stored in a <c>bigint</c> bit for bit (an unchecked cast both ways),
/// so every counter round-trips; the database never orders bins by counter.
/// </summary>
internal readonly record struct PostgresBinRow(string Region, long Epoch, long Counter, string? Value, byte[] Context, DateTime WrittenAt, string? Writer, string? Operation)
{
    public static PostgresBinRow From(Bin bin) => new(
        bin.Dot.Replica.Region.Value,
        bin.Dot.Replica.Epoch,
        unchecked((long)bin.Dot.Counter),
        bin.Value,
        CausalBinaryCodec.EncodeVector(bin.Context),
        DateTimeOffset.FromUnixTimeMilliseconds(bin.WrittenAt.ToUnixTimeMilliseconds()).UtcDateTime,
        bin.Writer,
        bin.OperationId);

    /// <summary>How many columns <see cref="Read"/> reads (the columns of <see cref="PostgresSql"/>'s bin selects).</summary>
    public const int ColumnCount = 8;

    /// <summary>Reads the bin columns starting at <paramref name="first"/> (see <see cref="PostgresSql.SelectBins"/>);
    /// null when they are NULL (a record without bins in a LEFT JOIN).</summary>
    public static PostgresBinRow? Read(Npgsql.NpgsqlDataReader reader, int first) =>
        reader.IsDBNull(first)
            ? null
            : new PostgresBinRow(
                reader.GetString(first),
                reader.GetInt64(first + 1),
                reader.GetInt64(first + 2),
                reader.IsDBNull(first + 3) ? null : reader.GetString(first + 3),
                reader.GetFieldValue<byte[]>(first + 4),
                reader.GetFieldValue<DateTime>(first + 5),
                reader.IsDBNull(first + 6) ? null : reader.GetString(first + 6),
                reader.IsDBNull(first + 7) ? null : reader.GetString(first + 7));

    /// <summary>The dot columns of <paramref name="dot"/>, for deletes.</summary>
    public static (string Region, long Epoch, long Counter) Columns(Dot dot) =>
        (dot.Replica.Region.Value, dot.Replica.Epoch, unchecked((long)dot.Counter));

    /// <summary>The bin; <see cref="InvalidDataException"/> when a column holds something no bin can have.</summary>
    public Bin ToBin()
    {
        if (!RegionId.TryParse(Region, out var region))
        {
            throw new InvalidDataException($"A bin row has the invalid region '{Region}'.");
        }

        if (Epoch is <= 0 or > uint.MaxValue)
        {
            throw new InvalidDataException($"A bin row has the invalid epoch {Epoch}.");
        }

        var dot = new Dot(new ReplicaId(region, (uint)Epoch), unchecked((ulong)Counter));
        try
        {
            var writtenAt = new DateTimeOffset(DateTime.SpecifyKind(WrittenAt, DateTimeKind.Utc));
            return new Bin(dot, Value, CausalBinaryCodec.DecodeVector(Context), writtenAt, Writer, Operation);
        }
        catch (ArgumentException e)
        {
            throw new InvalidDataException($"Bin row {dot} is invalid: {e.Message}", e);
        }
    }
}
