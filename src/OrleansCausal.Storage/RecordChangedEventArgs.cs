namespace OrleansCausal.Storage;

/// <summary>A record changed in the store: a write by this or another silo, or a merged remote bin.</summary>
public sealed class RecordChangedEventArgs(RecordKey key, bool isLocal, long version) : EventArgs
{
    public RecordKey Key { get; } = key;

    /// <summary>True when the change was made through this store instance (this silo).</summary>
    public bool IsLocal { get; } = isLocal;

    /// <summary>The record's version after the change (see <see cref="StoredRecord.Version"/>). A cache holding an
    /// older version of the record is stale.</summary>
    public long Version { get; } = version;
}
