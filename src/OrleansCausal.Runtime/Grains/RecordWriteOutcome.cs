using OrleansCausal.Core;

namespace OrleansCausal.Runtime.Grains;

/// <summary>A durable put or delete: the record after it (committed), the bin it wrote, and how many siblings the
/// namespace's cap pruned. <see cref="Replayed"/>: the record already held the write's operation id, so nothing was
/// written; <see cref="Written"/> is then the dot under which the record holds that operation.</summary>
[GenerateSerializer, Immutable]
public sealed record RecordWriteOutcome(
    [property: Id(0)] RecordSnapshot Snapshot,
    [property: Id(1)] Dot Written,
    [property: Id(2)] int Pruned,
    [property: Id(3)] bool Replayed = false);
