using Microsoft.Extensions.Hosting;

namespace OrleansCausal.Runtime.Actors;

/// <summary>Deactivates idle record actors periodically (every quarter of <c>Actors:IdleTimeout</c>, at most every minute).</summary>
internal sealed class ActorIdleSweeper(RecordActorDirectory directory, TimeProvider time) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var period = TimeSpan.FromTicks(Math.Clamp(directory.IdleTimeout.Ticks / 4, TimeSpan.FromMilliseconds(10).Ticks, TimeSpan.FromMinutes(1).Ticks));
        using var timer = new PeriodicTimer(period, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                directory.DeactivateIdle();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}
