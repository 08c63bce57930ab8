using OrleansCausal.Runtime.Replication;
using OrleansCausal.Runtime.Storage;

namespace OrleansCausal.Gateway.Contracts;

/// <summary>The body of <c>GET /v1/status</c>.</summary>
public sealed record StatusResponse(
    string Region,
    string Replica,
    string Store,
    int RecordGrains,
    ClusterStatus Cluster,
    IReadOnlyList<NamespaceStatus> Namespaces,
    bool OpenNamespaces,
    IReadOnlyList<PeerReplicationStatus> Peers,
    StorageStatus Storage)
{
    /// <summary>Writes this silo answered without applying them since it started, because the record already held
    /// their operation id (<c>Idempotency-Key</c>); the metric <c>orleans_causal.operations.replayed</c> counts them
    /// by namespace.</summary>
    public long ReplayedWrites { get; init; }
}

public sealed record NamespaceStatus(string Name, string Resolver, int MaxSiblings);

/// <summary>The region's Orleans cluster as this silo sees it: its id (= the region) and every known silo.</summary>
public sealed record ClusterStatus(string Id, IReadOnlyList<ClusterSiloStatus> Silos);

/// <summary>One silo of the cluster: its Orleans address and membership status (<c>active</c>, <c>joining</c>,
/// <c>shuttingdown</c>, <c>dead</c>, …).</summary>
public sealed record ClusterSiloStatus(string Address, string Status);
