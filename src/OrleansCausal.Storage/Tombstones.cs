using OrleansCausal.Core;

namespace OrleansCausal.Storage;

/// <summary>What a purge leaves of a record (<see cref="IStoreMaintenance.PurgeAsync"/>).</summary>
public static class Tombstones
{
    /// <summary>The record without its tombstone bins, with the same clock (so the dropped dots stay covered and the
    /// counters go on from it); null when it holds no tombstone. A record left with no bin is a clock alone: it reads
    /// as not found with that context. No bin of the result is covered by another's context: none was before.</summary>
    public static CausalRecord? Without(CausalRecord record) =>
        record.Bins.Any(static b => b.IsTombstone)
            ? CausalRecord.Restore(record.Bins.Where(static b => !b.IsTombstone), record.Clock)
            : null;
}
