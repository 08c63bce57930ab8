using OrleansCausal.Core;

namespace OrleansCausal.Runtime.Grains;

/// <summary>A committed state of a record, as a grain answers it: the record and its store version.</summary>
[GenerateSerializer, Immutable]
public sealed record RecordSnapshot([property: Id(0)] CausalRecord Record, [property: Id(1)] long Version);
