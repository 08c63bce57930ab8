namespace OrleansCausal.Runtime.Records;

/// <summary>Why a request on a record was refused (nothing was written).</summary>
public enum RecordError
{
    InvalidNamespace,
    UnknownNamespace,
    InvalidKey,
    ValueTooLarge,
    InvalidJson,
    JsonTooDeep,
    InvalidContext,
    InvalidOperationId,
}
