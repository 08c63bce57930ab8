namespace OrleansCausal.Runtime.Replication;

/// <summary>
/// The replicator's view for the status endpoint. The runtime registers an empty implementation; the
/// replication module replaces it when peers are configured.
/// </summary>
public interface IReplicationStatus
{
    Task<IReadOnlyList<PeerReplicationStatus>> GetPeersAsync(CancellationToken cancellationToken);
}
