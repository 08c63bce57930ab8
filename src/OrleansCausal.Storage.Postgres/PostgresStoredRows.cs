using OrleansCausal.Core;
using OrleansCausal.Core.Serialization;

namespace OrleansCausal.Storage.Postgres;

/// <summary>
/// The rows of one record as read from the database: its <c>records</c> row (clock and version) and its
/// <c>bins</c> rows. <see cref="Decode"/> rebuilds the record and checks its invariants; a record whose clock is
/// NULL (its blob could not be migrated: see <see cref="PostgresBlobMigration"/>) or whose rows are damaged is
/// reported as corrupt.
/// </summary>
internal sealed class PostgresStoredRows(byte[]? clock, long version, byte[]? operations = null)
{
    private readonly List<PostgresBinRow> _bins = [];

    public long Version { get; } = version;

    public void Add(PostgresBinRow bin) => _bins.Add(bin);

    /// <summary>The record; <see cref="InvalidDataException"/> when the rows are corrupt.</summary>
    public CausalRecord Decode()
    {
        if (clock is null)
        {
            throw new InvalidDataException("its stored record could not be decoded when the schema was migrated (the original bytes are kept in the corrupt_records table)");
        }

        var decodedClock = CausalBinaryCodec.DecodeVector(clock);
        var bins = new Bin[_bins.Count];
        for (var i = 0; i < bins.Length; i++)
        {
            bins[i] = _bins[i].ToBin();
        }

        return CausalRecord.Restore(bins, decodedClock, operations is null ? null : CausalBinaryCodec.DecodeOperations(operations));
    }
}
