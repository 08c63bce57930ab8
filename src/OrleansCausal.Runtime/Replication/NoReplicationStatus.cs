namespace OrleansCausal.Runtime.Replication;

/// <summary>The status of a silo with no peers configured: no peers.</summary>
public sealed class NoReplicationStatus : IReplicationStatus
{
    public Task<IReadOnlyList<PeerReplicationStatus>> GetPeersAsync(CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<PeerReplicationStatus>>([]);
}
