using OrleansCausal.Core;

namespace OrleansCausal.Storage;

/// <summary>A bin together with the record it belongs to (replication batches, full resends). In a full resend, the
/// first entry of each record also carries the operations that record remembers (<see cref="CausalRecord.Operations"/>),
/// so that a region that never received a superseded bin still learns which operation it held; merges join them into
/// the record (<see cref="CausalRecord.Merge"/>).</summary>
public sealed record KeyedBin(RecordKey Key, Bin Bin)
{
    /// <summary>Remembered operations of the record sent with this bin (empty on most entries).</summary>
    public IReadOnlyList<RememberedOperation> Operations { get; init; } = [];

    public bool Equals(KeyedBin? other) =>
        other is not null && Key == other.Key && Bin.Equals(other.Bin) && Operations.SequenceEqual(other.Operations);

    public override int GetHashCode() => HashCode.Combine(Key, Bin);
}
