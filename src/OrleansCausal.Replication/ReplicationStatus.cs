using OrleansCausal.Replication.Outbound;
using OrleansCausal.Runtime.Replication;
using OrleansCausal.Storage;

namespace OrleansCausal.Replication;

/// <summary>
/// <see cref="IReplicationStatus"/> for the status endpoint: per configured peer, asked of the region's shipper grain
/// wherever it runs — the silo that ships, the backlog (local bins not acknowledged, read fresh from the store), the
/// last acknowledged sequence, the age of the oldest unacknowledged bin, the last error, and the state of a full
/// resend. When the shipper cannot be reached (its silo just died), the backlog comes from the durable checkpoint.
/// </summary>
public sealed class ReplicationStatus(PeerShipperKeeper keeper, IRecordStore store, ILocalSiloDetails silo, TimeProvider time) : IReplicationStatus
{
    public async Task<IReadOnlyList<PeerReplicationStatus>> GetPeersAsync(CancellationToken cancellationToken)
    {
        var peers = keeper.Peers.OrderBy(static p => p.Region.Value, StringComparer.Ordinal).ToList();
        var reports = await Task.WhenAll(peers.Select(async peer =>
        {
            try
            {
                return (Report: (PeerShipperReport?)await keeper.Shipper(peer.Region).GetReportAsync(PeerShipperKeeper.Endpoints(peer)).WaitAsync(TimeSpan.FromSeconds(5), cancellationToken), Error: (string?)null);
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                return (Report: (PeerShipperReport?)null, Error: (string?) $"shipper unreachable: {e.GetType().Name}: {e.Message}");
            }
        }));

        var local = silo.SiloAddress.ToString();
        var result = new List<PeerReplicationStatus>();
        for (var i = 0; i < peers.Count; i++)
        {
            var region = peers[i].Region.Value;
            var (report, error) = reports[i];
            report ??= await FromStoreAsync(region, error!, cancellationToken);
            var lag = report.OldestUnacknowledgedAt is { } oldest ? time.GetUtcNow() - oldest : TimeSpan.Zero;
            result.Add(new PeerReplicationStatus(
                region,
                report.Backlog,
                report.Checkpoint,
                lag < TimeSpan.Zero ? TimeSpan.Zero : lag,
                report.LastError,
                report.Silo == local,
                report.Silo.Length == 0 ? null : report.Silo,
                report.Repair));
        }

        return result;
    }

    private async Task<PeerShipperReport> FromStoreAsync(string region, string error, CancellationToken cancellationToken)
    {
        var checkpoint = await store.GetCheckpointAsync(PeerSession.CheckpointNameOf(region), cancellationToken);
        var backlog = Math.Max(0, await store.GetLastSequenceAsync(cancellationToken) - checkpoint);
        return new PeerShipperReport("", checkpoint, backlog, null, error, null);
    }
}
