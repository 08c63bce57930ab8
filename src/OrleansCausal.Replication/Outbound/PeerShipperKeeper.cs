using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Primitives;
using OrleansCausal.Core;
using OrleansCausal.Replication.Hosting;
using OrleansCausal.Storage;

namespace OrleansCausal.Replication.Outbound;

/// <summary>
/// Runs on every silo: keeps the region's <see cref="IPeerShipperGrain"/> of every configured peer alive by calling
/// it every <see cref="ReplicationOptions.ShipperKeepAliveInterval"/> (at start too), so that when the silo hosting a
/// shipper dies, the first call after Orleans declares that silo dead activates the shipper on a survivor.
/// Membership follows configuration: when <c>Peers</c> changes (a reloadable source), the new peers are started at
/// once and a removed peer's shipper is stopped (its unacknowledged backlog is logged) before the peer leaves the status.
/// </summary>
public sealed class PeerShipperKeeper : IHostedService, IAsyncDisposable
{
    private readonly IGrainFactory _grains;
    private readonly IRecordStore _store;
    private readonly IConfiguration _configuration;
    private readonly ReplicationSettings _settings;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _membership = new(1, 1);
    private readonly CancellationTokenSource _stopping = new();
    private IReadOnlyList<PeerConfiguration> _peers = [];
    private string? _removing;
    private IDisposable? _reloadRegistration;
    private Task _loop = Task.CompletedTask;

    public PeerShipperKeeper(IGrainFactory grains, IRecordStore store, IConfiguration configuration, ReplicationSettings settings, ILogger<PeerShipperKeeper> logger)
    {
        _grains = grains;
        _store = store;
        _configuration = configuration;
        _settings = settings;
        _logger = logger;
    }

    /// <summary>The peers this silo keeps a shipper for, in configuration order.</summary>
    public IReadOnlyList<PeerConfiguration> Peers => Volatile.Read(ref _peers);

    /// <summary>Whether this silo's configuration wants a shipper to <paramref name="region"/> now (false while its
    /// removal runs): a shipper grain refuses to start on a silo that does not want it, so that a keep-alive or status
    /// call still in flight during a removal cannot bring a stopped shipper back.</summary>
    public bool Wants(string region) =>
        !string.Equals(Volatile.Read(ref _removing), region, StringComparison.Ordinal) && Peers.Any(p => p.Region.Value == region);

    public IPeerShipperGrain Shipper(RegionId peer) => _grains.GetGrain<IPeerShipperGrain>(peer.Value);

    public static string[] Endpoints(PeerConfiguration peer) => [.. peer.Endpoints.Select(static e => e.ToString())];

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        Log.LogInformationReplicationStarted(_logger, _settings.Region.Value, _store.Replica.ToString(), _settings.Peers.Count,
            string.Join("; ", _settings.Peers.Select(static p => $"{p.Region}={string.Join(",", p.Endpoints)}")));
        if (!_settings.IsAuthenticated && _settings.Peers.Count > 0)
        {
            Log.LogWarningReplicationUnauthenticated(_logger, string.Join(", ", _settings.Peers.Select(static p => p.Region.Value)));
        }

        await ReconcileAsync(_settings.Peers, cancellationToken);
        _reloadRegistration = ChangeToken.OnChange(_configuration.GetReloadToken, OnConfigurationChanged);
        _loop = Task.Run(() => KeepAliveAsync(_stopping.Token), CancellationToken.None);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _reloadRegistration?.Dispose();
        _reloadRegistration = null;
        if (!_stopping.IsCancellationRequested)
        {
            await _stopping.CancelAsync();
        }

        try
        {
            await _loop.WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync(CancellationToken.None);
        _stopping.Dispose();
        _membership.Dispose();
    }

    private async Task KeepAliveAsync(CancellationToken stopping)
    {
        using var timer = new PeriodicTimer(_settings.Options.ShipperKeepAliveInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(stopping))
            {
                await Task.WhenAll(Peers.Select(peer => PingAsync(peer, stopping)));
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
        }
    }

    private async Task PingAsync(PeerConfiguration peer, CancellationToken stopping)
    {
        try
        {
            await Shipper(peer.Region).EnsureRunningAsync(Endpoints(peer)).WaitAsync(_settings.Options.RequestTimeout, stopping);
        }
        catch (Exception e) when (e is not OperationCanceledException || !stopping.IsCancellationRequested)
        {
            // The silo hosting the shipper is unreachable (until Orleans declares it dead) or stopping; next tick again.
            Log.LogDebugShipperUnreachable(_logger, peer.Region.Value, e.Message);
        }
    }

    private void OnConfigurationChanged()
    {
        _ = Task.Run(async () =>
        {
            try
            {
                await ReconcileAsync(ReplicationSettings.Load(_configuration).Peers, _stopping.Token);
            }
            catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
            {
            }
            catch (Exception e)
            {
                Log.LogErrorReconfigurationFailed(_logger, e, e.Message);
            }
        });
    }

    private async Task ReconcileAsync(IReadOnlyList<PeerConfiguration> wanted, CancellationToken cancellationToken)
    {
        await _membership.WaitAsync(cancellationToken);
        try
        {
            var regions = wanted.Select(static p => p.Region).ToHashSet();
            foreach (var removed in Peers.Where(p => !regions.Contains(p.Region)))
            {
                // Stop first, then forget: once a peer is gone from the status, nothing more is sent to it.
                Volatile.Write(ref _removing, removed.Region.Value);
                var report = await Shipper(removed.Region).StopAsync().WaitAsync(_settings.Options.RequestTimeout, cancellationToken);
                Volatile.Write(ref _peers, Peers.Where(p => p.Region != removed.Region).ToList());
                Volatile.Write(ref _removing, null);
                Log.LogWarningPeerRemoved(_logger, removed.Region.Value, report?.Backlog ?? 0, report?.Checkpoint ?? 0);
            }

            var added = wanted.Where(p => !Peers.Any(q => q.Region == p.Region)).ToList();
            Volatile.Write(ref _peers, wanted.ToList());
            foreach (var peer in added)
            {
                Log.LogInformationPeerAdded(_logger, peer.Region.Value);
            }

            // Start (or point at new endpoints) at once rather than at the next keep-alive tick.
            await Task.WhenAll(wanted.Select(peer => PingAsync(peer, cancellationToken)));
        }
        finally
        {
            _membership.Release();
        }
    }
}
