namespace OrleansCausal.Storage.Sqlite;

/// <summary>Thrown inside the writer by an operation that refuses itself before changing anything; the writer fails
/// that operation alone with <see cref="Exception.InnerException"/> (what the caller sees) and commits the rest of
/// the batch. It never leaves the store.</summary>
internal sealed class OperationRefusedException(Exception reason) : Exception(reason.Message, reason)
{
    public Exception Reason { get; } = reason;
}
