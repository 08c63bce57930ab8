using Microsoft.Extensions.Logging;
using OrleansCausal.Core;
using OrleansCausal.Replication.Hosting;

namespace OrleansCausal.Replication.Outbound;

/// <summary>
/// Hosts the <see cref="PeerSession"/> of one peer region. The shipping loop runs off the grain's scheduler (it is
/// long-running I/O); the grain owns its lifetime: it starts it on the first <see cref="EnsureRunningAsync"/>, keeps
/// itself active with a keep-alive timer while silos keep asking for it, and stops it (flushing the checkpoint) when
/// deactivated. If no silo has asked for it for <see cref="StaleAfter"/> keep-alive periods (the peer left every
/// silo's configuration), it deactivates itself.
/// </summary>
internal sealed class PeerShipperGrain(PeerShipperFactory factory, ReplicationSettings settings, PeerShipperKeeper keeper, LocalShippers local, ILocalSiloDetails silo, ILogger<PeerShipperGrain> logger)
    : Grain, IPeerShipperGrain
{
    private const int StaleAfter = 10;

    private RunningShipper? _running;
    private DateTimeOffset _lastAskedAt;

    private string Region => this.GetPrimaryKeyString();

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var period = settings.Options.ShipperKeepAliveInterval;
        this.RegisterGrainTimer(CheckAsync, new GrainTimerCreationOptions(period, period) { KeepAlive = true, Interleave = false });
        return Task.CompletedTask;
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken) =>
        await StopRunningAsync(cancellationToken);

    public async Task<PeerShipperReport> GetReportAsync(string[] endpoints)
    {
        await EnsureRunningAsync(endpoints);
        return _running is { } running
            ? await ReportAsync(running.Shipper)
            : new PeerShipperReport(silo.SiloAddress.ToString(), 0, 0, null, $"peer {Region} is not configured on silo {silo.SiloAddress}", null);
    }

    public async Task<string> EnsureRunningAsync(string[] endpoints)
    {
        _lastAskedAt = DateTimeOffset.UtcNow;
        var wanted = endpoints.Select(static e => new Uri(e)).ToList();
        if (_running is not null && !_running.Shipper.Endpoints.SequenceEqual(wanted))
        {
            await StopRunningAsync(CancellationToken.None);
        }

        if (_running is null && !keeper.Wants(Region))
        {
            // This silo's configuration has no such peer (or is removing it): do not ship.
            this.DeactivateOnIdle();
            return silo.SiloAddress.ToString();
        }

        if (_running is null)
        {
            var peer = new PeerConfiguration(RegionId.Parse(Region), wanted);
            _running = await factory.StartAsync(peer, CancellationToken.None);
            local.Add(_running.Shipper);
            Log.LogInformationShipperActivated(logger, Region, silo.SiloAddress.ToString(), _running.Shipper.Checkpoint);
        }

        return silo.SiloAddress.ToString();
    }

    public async Task<PeerShipperReport?> StopAsync()
    {
        var running = _running;
        if (running is null)
        {
            this.DeactivateOnIdle();
            return null;
        }

        await StopRunningAsync(CancellationToken.None);
        this.DeactivateOnIdle();
        return await ReportAsync(running.Shipper);
    }

    public Task<bool> RequestResendAsync()
    {
        var running = _running;
        running?.Shipper.RequestResend();
        return Task.FromResult(running is not null);
    }

    private async Task<PeerShipperReport> ReportAsync(PeerSession shipper)
    {
        var backlog = await shipper.RefreshBacklogAsync(CancellationToken.None);
        return new PeerShipperReport(silo.SiloAddress.ToString(), shipper.Checkpoint, backlog.Backlog, backlog.OldestAt, shipper.LastError, shipper.Repair);
    }

    private Task CheckAsync(CancellationToken cancellationToken)
    {
        if (DateTimeOffset.UtcNow - _lastAskedAt > settings.Options.ShipperKeepAliveInterval * StaleAfter)
        {
            // No silo wants this shipper any more.
            this.DeactivateOnIdle();
        }

        return Task.CompletedTask;
    }

    private async Task StopRunningAsync(CancellationToken cancellationToken)
    {
        var running = _running;
        if (running is null)
        {
            return;
        }

        _running = null;
        local.Remove(running.Shipper);
        await running.StopAsync(cancellationToken);
    }
}
