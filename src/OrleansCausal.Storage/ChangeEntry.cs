using OrleansCausal.Core;

namespace OrleansCausal.Storage;

/// <summary>One entry of the change feed: a bin this store created, with its gap-free sequence number.</summary>
public sealed record ChangeEntry(long Sequence, RecordKey Key, Bin Bin);
