namespace OrleansCausal.Storage;

/// <summary>A store failed in a way callers should report clearly: unreachable, unauthorized, read-only, full,
/// corrupt row, or a schema this build cannot use. <see cref="Key"/> names the record when one is at fault.</summary>
public sealed class RecordStoreException : Exception
{
    public RecordStoreException(string message, Exception? inner = null, RecordKey? key = null)
        : base(message, inner) => Key = key;

    public RecordKey? Key { get; }
}
