using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using OrleansCausal.Storage;

namespace OrleansCausal.Gateway.Health;

/// <summary>Ready when the store answers (it reads the change feed's last sequence) and the host is not stopping.</summary>
internal sealed class StoreHealthCheck(IRecordStore store, IHostApplicationLifetime lifetime) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (lifetime.ApplicationStopping.IsCancellationRequested)
        {
            return HealthCheckResult.Unhealthy("The silo is stopping.");
        }

        try
        {
            var last = await store.GetLastSequenceAsync(cancellationToken);
            return HealthCheckResult.Healthy($"{store.Description} answers (last change-feed sequence {last}).");
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return HealthCheckResult.Unhealthy($"{store.Description} does not answer: {e.Message}", e);
        }
    }
}
