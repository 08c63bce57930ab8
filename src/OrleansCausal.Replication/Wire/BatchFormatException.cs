namespace OrleansCausal.Replication.Wire;

/// <summary>A replication request body that does not follow the wire format; the receiver answers 400.</summary>
public sealed class BatchFormatException(string message, Exception? inner = null) : Exception(message, inner);
