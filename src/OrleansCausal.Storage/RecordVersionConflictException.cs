namespace OrleansCausal.Storage;

/// <summary>A conditional write found the record at another version than the writer read: another writer (a
/// replication merge, or a second activation of the record's grain) changed it first. Nothing was written; the
/// writer reloads the record and computes its write again.</summary>
public sealed class RecordVersionConflictException(RecordKey key, long expectedVersion, long actualVersion)
    : Exception($"Record {key} is at version {actualVersion}, not at version {expectedVersion} that the write was computed from; nothing was written.")
{
    public RecordKey Key { get; } = key;

    public long ExpectedVersion { get; } = expectedVersion;

    public long ActualVersion { get; } = actualVersion;
}
