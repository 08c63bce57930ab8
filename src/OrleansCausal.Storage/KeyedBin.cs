using OrleansCausal.Core;

namespace OrleansCausal.Storage;

/// <summary>A bin together with the record it belongs to (replication batches, full resends).</summary>
public sealed record KeyedBin(RecordKey Key, Bin Bin);
