using OrleansCausal.Runtime.Replication;

namespace OrleansCausal.Gateway.Contracts;

/// <summary>The body of <c>GET /v1/status</c>.</summary>
public sealed record StatusResponse(
    string Region,
    string Replica,
    string Store,
    int Actors,
    IReadOnlyList<NamespaceStatus> Namespaces,
    bool OpenNamespaces,
    IReadOnlyList<PeerReplicationStatus> Peers);

public sealed record NamespaceStatus(string Name, string Resolver, int MaxSiblings);
