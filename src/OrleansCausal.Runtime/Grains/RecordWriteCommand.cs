using OrleansCausal.Core;

namespace OrleansCausal.Runtime.Grains;

/// <summary>A put (<see cref="Value"/> is JSON text) or delete (<see cref="Value"/> null) sent to a record grain.
/// <see cref="Context"/> is the causal context the writer read (empty: a blind write); <see cref="Override"/>
/// supersedes everything the region holds now (<c>If-Match: *</c>); <see cref="Writer"/> names who writes (an API key's
/// name or an in-process caller's), kept with the bin; null when unknown. <see cref="OperationId"/> (the
/// <c>Idempotency-Key</c>) makes the write idempotent: when the record already holds that operation the write is a
/// replay and is not applied. Validated by the caller.</summary>
[GenerateSerializer, Immutable]
public sealed record RecordWriteCommand(
    [property: Id(0)] string? Value,
    [property: Id(1)] VersionVector Context,
    [property: Id(2)] bool Override,
    [property: Id(3)] string? Writer = null,
    [property: Id(4)] string? OperationId = null);
