using Microsoft.Extensions.Diagnostics.HealthChecks;
using OrleansCausal.Runtime.Replication;

namespace OrleansCausal.Gateway.Health;

/// <summary>Healthy when every peer region accepts what this region ships; degraded (still ready: a region serves
/// reads and writes while cut off from its peers) when one reports an error.</summary>
internal sealed class ReplicationHealthCheck(IReplicationStatus replication) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var peers = await replication.GetPeersAsync(cancellationToken);
        var data = peers.ToDictionary(p => p.Region, p => (object)new { p.Backlog, lagSeconds = p.Lag.TotalSeconds, p.LastError });
        var failing = peers.Where(p => p.LastError is not null).Select(p => p.Region).ToArray();
        if (failing.Length > 0)
        {
            return HealthCheckResult.Degraded($"Shipping to {string.Join(", ", failing)} fails; writes queue in the change feed.", data: data);
        }

        return HealthCheckResult.Healthy(peers.Count == 0 ? "No peer regions." : $"{peers.Count} peer region(s) accept batches.", data);
    }
}
