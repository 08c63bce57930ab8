using OrleansCausal.Storage;

namespace OrleansCausal.Replication.Wire;

/// <summary>
/// A chunk of a full resend: whole records (every bin they hold, whichever replica issued it), no sequence
/// numbers. A record's bins always travel in one chunk, so the receiver merges each record atomically and its
/// clock never covers a dot whose bin is still on its way. Safe at any time: merge is idempotent.
/// </summary>
/// <param name="Source">The sending store's replica id.</param>
/// <param name="Bins">The bins, grouped by record.</param>
public sealed record ResendBatch(string Source, IReadOnlyList<KeyedBin> Bins);
