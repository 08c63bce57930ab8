using OrleansCausal.Core;

namespace OrleansCausal.Storage;

/// <summary>
/// What bounds a store's size (README "Bounded storage"): change-feed compaction, the purge of tombstone-only records
/// below the stable cut, the dot floor that keeps a purged record's dots from ever being issued again, and the
/// figures the status shows. The garbage collector decides <em>what</em> is safe; the store only does it atomically.
/// </summary>
public interface IStoreMaintenance
{
    /// <summary>The dot floor as this store instance last knew it: no own dot with a counter at or below it is ever
    /// issued again (<see cref="CausalRecord.Put"/>'s <c>counterFloor</c>). It only grows: a purge raises it to the
    /// highest own counter of every record it removes. A write that creates a record with an own dot at or below the
    /// durable floor is refused as a version conflict (the writer reloads and computes again with the new floor).</summary>
    ulong DotFloor { get; }

    /// <summary>Live records, tombstone-only records, change-feed entries, and bytes used where the backend can tell.</summary>
    Task<StorageFigures> GetStorageFiguresAsync(CancellationToken cancellationToken);

    /// <summary>Every source's applied position (<see cref="ICheckpointStore.GetInboundPositionAsync"/>), by source replica.</summary>
    Task<IReadOnlyDictionary<string, long>> GetInboundPositionsAsync(CancellationToken cancellationToken);

    /// <summary>Deletes the change-feed entries with a sequence at or below <paramref name="through"/>, except the newest
    /// entry, which is always kept (so the last sequence survives, and a reader behind it sees a hole, not an empty
    /// feed). Returns how many were deleted.</summary>
    Task<long> CompactFeedAsync(long through, CancellationToken cancellationToken);

    /// <summary>For each record that is still exactly <see cref="PurgeCandidate.Record"/>, drops its tombstone bins: the
    /// record keeps its live bins and its clock (which still covers the dropped dots, so they never come back) and
    /// gets a new version; a record left with no bin is removed, in one transaction with raising the dot floor to its
    /// highest own counter and the version floor to its version (a record created later starts above it, so no
    /// cached version of the removed record can match). Returns the keys changed. The caller proves the tombstones
    /// are below the stable cut.</summary>
    Task<IReadOnlyList<RecordKey>> PurgeAsync(IReadOnlyList<PurgeCandidate> candidates, CancellationToken cancellationToken);
}

/// <summary>A store's size: <see cref="Records"/> with a live value, <see cref="Tombstones"/> (records holding only
/// tombstones), <see cref="Feed"/> (change-feed entries) and <see cref="Bytes"/> (null when the backend cannot tell).</summary>
public sealed record StorageFigures(long Records, long Tombstones, long Feed, long? Bytes);

/// <summary>A record holding tombstones the garbage collector found stable; purged only if it is still exactly this.</summary>
public sealed record PurgeCandidate(RecordKey Key, CausalRecord Record);
