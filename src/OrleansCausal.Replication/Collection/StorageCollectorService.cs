using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace OrleansCausal.Replication.Collection;

/// <summary>Runs a <see cref="StorageCollector"/> round every <see cref="StorageOptions.GcInterval"/> on every silo
/// (safe to overlap across silos); a failed round is logged and the next one retries.</summary>
public sealed class StorageCollectorService(StorageCollector collector, IOptions<StorageOptions> options, TimeProvider time, ILogger<StorageCollectorService> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.GcInterval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    await collector.RunOnceAsync(stoppingToken);
                }
                catch (Exception e) when (e is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
                {
                    CollectionLog.LogWarningRoundFailed(logger, e);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }
}
