namespace OrleansCausal.Storage;

/// <summary>A durable conditional write: the record's new version, and the change-feed sequence of the last bin it
/// appended (0 when it appended none, e.g. a write that only dropped bins).</summary>
public sealed record RecordWriteResult(long Version, long LastSequence);
