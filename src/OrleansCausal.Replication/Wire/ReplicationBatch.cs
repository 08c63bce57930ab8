using OrleansCausal.Storage;

namespace OrleansCausal.Replication.Wire;

/// <summary>
/// A slice of a source replica's change feed: the bins with sequences in <c>(After, Through]</c>, in feed order.
/// The receiver applies it only when <c>After</c> does not skip past what it has already applied from
/// <see cref="Source"/> (gap detection); overlaps and duplicates re-apply idempotently.
/// </summary>
/// <param name="Source">The sending store's replica id (<c>region.epoch</c>); every bin carries a dot of it.</param>
/// <param name="After">The feed sequence this batch continues from.</param>
/// <param name="Through">The last feed sequence the batch covers (≥ <paramref name="After"/>).</param>
/// <param name="Bins">The bins with their record keys.</param>
public sealed record ReplicationBatch(string Source, long After, long Through, IReadOnlyList<KeyedBin> Bins);
