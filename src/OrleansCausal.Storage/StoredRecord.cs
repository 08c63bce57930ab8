using OrleansCausal.Core;

namespace OrleansCausal.Storage;

/// <summary>
/// A record as the store holds it, with its version: a counter the store bumps on every change to the record
/// (put, delete, conditional write, merge). Version 0 means the record was never written. The version is what a
/// conditional write (<see cref="IRecordOperations.WriteAsync"/>) is checked against — the grain storage's ETag.
/// </summary>
public sealed record StoredRecord(CausalRecord Record, long Version)
{
    public static readonly StoredRecord Missing = new(CausalRecord.Empty, 0);
}
