using OrleansCausal.Replication.Outbound;
using OrleansCausal.Runtime.Replication;

namespace OrleansCausal.Replication;

/// <summary>
/// <see cref="IReplicationStatus"/> for the status endpoint: per peer, the backlog (local bins not acknowledged),
/// the last acknowledged sequence, the age of the oldest unacknowledged bin, the last error, and whether this silo
/// holds the shipping lease. Backlog and lag are read fresh from the store on every call.
/// </summary>
public sealed class ReplicationStatus(ReplicationService service, TimeProvider time) : IReplicationStatus
{
    public async Task<IReadOnlyList<PeerReplicationStatus>> GetPeersAsync(CancellationToken cancellationToken)
    {
        var result = new List<PeerReplicationStatus>();
        foreach (var shipper in service.Shippers.OrderBy(static s => s.Region, StringComparer.Ordinal))
        {
            var backlog = await shipper.RefreshBacklogAsync(cancellationToken);
            var lag = backlog.OldestAt is { } oldest ? time.GetUtcNow() - oldest : TimeSpan.Zero;
            result.Add(new PeerReplicationStatus(
                shipper.Region,
                backlog.Backlog,
                shipper.Checkpoint,
                lag < TimeSpan.Zero ? TimeSpan.Zero : lag,
                shipper.LastError,
                shipper.IsShipping));
        }

        return result;
    }
}
