namespace OrleansCausal.Runtime.Records;

/// <summary>A request on a record was refused before anything was written; <see cref="Error"/> says why.</summary>
public sealed class RecordRequestException(RecordError error, string message) : Exception(message)
{
    public RecordError Error { get; } = error;
}
