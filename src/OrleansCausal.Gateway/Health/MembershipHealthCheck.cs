using Microsoft.Extensions.Diagnostics.HealthChecks;
using Orleans.Runtime;

namespace OrleansCausal.Gateway.Health;

/// <summary>Ready when this silo is an active member of its region's Orleans cluster.</summary>
internal sealed class MembershipHealthCheck(IClusterMembershipService membership, ILocalSiloDetails local) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var snapshot = membership.CurrentSnapshot;
        var status = snapshot.Members.TryGetValue(local.SiloAddress, out var member) ? member.Status : SiloStatus.None;
        var active = snapshot.Members.Values.Count(m => m.Status == SiloStatus.Active);
        var description = $"This silo ({local.SiloAddress}) is {status.ToString().ToLowerInvariant()}; {active} active silo(s) in cluster {local.ClusterId}.";
        return Task.FromResult(status == SiloStatus.Active ? HealthCheckResult.Healthy(description) : HealthCheckResult.Unhealthy(description));
    }
}
