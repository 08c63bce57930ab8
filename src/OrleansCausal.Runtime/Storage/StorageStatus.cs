namespace OrleansCausal.Runtime.Storage;

/// <summary>
/// The <c>storage</c> member of <c>/v1/status</c>: live records, tombstone-only records, change-feed entries, bytes used
/// (null when the backend cannot tell), when those were counted (at most <see cref="StorageFiguresCache.MaxAge"/> ago),
/// and what the last garbage-collection round on this silo saw (null before the first).
/// </summary>
public sealed record StorageStatus(long Records, long Tombstones, long Feed, long? Bytes, DateTimeOffset CountedAt, CollectionRound? LastCollection);

/// <summary>
/// One garbage-collection round: when it ran, the stable cut it computed (per origin replica, the feed sequence every
/// current member region has applied), what held the purge back (null when nothing did), and what it removed.
/// </summary>
public sealed record CollectionRound(
    DateTimeOffset At,
    IReadOnlyDictionary<string, long> StableCut,
    string? HeldBackBy,
    long FeedCompactedThrough,
    long Compacted,
    int Purged);
