namespace OrleansCausal.Storage;

/// <summary>A record changed in the store: a write by this or another silo, or a merged remote bin.</summary>
public sealed class RecordChangedEventArgs(RecordKey key, bool isLocal) : EventArgs
{
    public RecordKey Key { get; } = key;

    /// <summary>True when the change was made through this store instance (this silo).</summary>
    public bool IsLocal { get; } = isLocal;
}
