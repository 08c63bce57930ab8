using OrleansCausal.Core;

namespace OrleansCausal.Storage;

/// <summary>The durable outcome of a put or delete: the record after it, the new bin, how many siblings the cap
/// pruned, the change-feed sequence number the bin was given, and the record's new version.</summary>
public sealed record StoreWriteResult(CausalRecord Record, Bin Written, int Pruned, long Sequence, long Version);
