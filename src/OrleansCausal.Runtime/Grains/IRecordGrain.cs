using Orleans.Concurrency;
using OrleansCausal.Core;

namespace OrleansCausal.Runtime.Grains;

/// <summary>
/// One grain per record (namespace + key, see <see cref="RecordGrainKey"/>) in a region's cluster: it caches the
/// record and serializes the writes to it. Correctness never rests on Orleans' single activation: every write is
/// conditional on the record version, and a stale one reloads and retries.
/// </summary>
public interface IRecordGrain : IGrainWithStringKey
{
    /// <summary>The committed record. With <paramref name="atLeast"/>, a record whose clock covers it when the store
    /// has one (a client moving between silos reads its writes); otherwise the freshest the region holds.
    /// Runs beside an in-flight write (it never sees that write before it is durable).</summary>
    [AlwaysInterleave]
    Task<RecordSnapshot> ReadAsync(VersionVector? atLeast);

    /// <summary>A put or delete (DESIGN.md §1), acknowledged once durable. Interleaves only to join the queue: the grain
    /// persists one batch of queued writes at a time, each computed as if alone, in arrival order.</summary>
    [AlwaysInterleave]
    Task<RecordWriteOutcome> WriteAsync(RecordWriteCommand command);
}
