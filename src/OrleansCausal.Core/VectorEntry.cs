namespace OrleansCausal.Core;

/// <summary>One entry of a <see cref="VersionVector"/>: a replica and the highest counter seen from it.</summary>
public readonly record struct VectorEntry(ReplicaId Replica, ulong Counter);
