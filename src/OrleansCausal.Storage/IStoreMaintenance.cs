using OrleansCausal.Core;

namespace OrleansCausal.Storage;

/// <summary>
/// What bounds a store's size (README "Bounded storage"): change-feed compaction, the purge of tombstones below the
/// stable cut, and the figures the status shows. The garbage collector decides <em>what</em> is safe; the store only does it atomically.
/// </summary>
public interface IStoreMaintenance
{
    /// <summary>Live records, tombstone-only records, change-feed entries, and bytes used where the backend can tell.</summary>
    Task<StorageFigures> GetStorageFiguresAsync(CancellationToken cancellationToken);

    /// <summary>Every source's applied position (<see cref="ICheckpointStore.GetInboundPositionAsync"/>), by source replica.</summary>
    Task<IReadOnlyDictionary<string, long>> GetInboundPositionsAsync(CancellationToken cancellationToken);

    /// <summary>Deletes the change-feed entries with a sequence at or below <paramref name="through"/>, except the newest
    /// entry, which is always kept (so the last sequence survives, and a reader behind it sees a hole, not an empty
    /// feed). Returns how many were deleted.</summary>
    Task<long> CompactFeedAsync(long through, CancellationToken cancellationToken);

    /// <summary>For each record that is still exactly <see cref="PurgeCandidate.Record"/>, drops its tombstone bins
    /// in one transaction: the record keeps its live bins and its clock — which still covers the dropped dots, so they
    /// never come back and no counter is issued again — and gets a new version. A record left with no bin stays as its
    /// clock alone (a few bytes: it reads as not found, with that context). Returns the keys changed. The caller
    /// proves the tombstones are below the stable cut.</summary>
    Task<IReadOnlyList<RecordKey>> PurgeAsync(IReadOnlyList<PurgeCandidate> candidates, CancellationToken cancellationToken);
}

/// <summary>A store's size: <see cref="Records"/> with a live value, <see cref="Tombstones"/> (records holding only
/// tombstones), <see cref="Feed"/> (change-feed entries) and <see cref="Bytes"/> (null when the backend cannot tell).</summary>
public sealed record StorageFigures(long Records, long Tombstones, long Feed, long? Bytes);

/// <summary>A record holding tombstones the garbage collector found stable; purged only if it is still exactly this.</summary>
public sealed record PurgeCandidate(RecordKey Key, CausalRecord Record);
