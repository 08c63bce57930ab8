using OrleansCausal.Core;

namespace OrleansCausal.Storage;

/// <summary>
/// One put or delete. <see cref="Value"/> is JSON text, or <c>null</c> for a delete (tombstone).
/// <see cref="Override"/> makes the write supersede everything the store holds for the record now
/// (<c>If-Match: *</c>): the context used is the supplied one joined with the stored record clock.
/// </summary>
public sealed record PutRequest(RecordKey Key, string? Value, VersionVector Context, int MaxBins = int.MaxValue, bool Override = false);
