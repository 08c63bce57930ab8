using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Primitives;
using OrleansCausal.Core;
using OrleansCausal.Replication.Hosting;
using OrleansCausal.Replication.Wire;
using OrleansCausal.Storage;

namespace OrleansCausal.Replication.Outbound;

/// <summary>
/// Runs one <see cref="PeerShipper"/> per configured peer and wakes them when the store commits a change.
/// Membership follows configuration: when <c>Peers</c> changes (a reloadable source), shippers are added or
/// stopped without a restart; a removed peer's unacknowledged backlog is logged.
/// </summary>
public sealed class ReplicationService : IHostedService, IAsyncDisposable
{
    public const string HttpClientName = "OrleansCausal.Replication";

    private readonly IRecordStore _store;
    private readonly IConfiguration _configuration;
    private readonly ReplicationSettings _settings;
    private readonly IHttpClientFactory _httpClients;
    private readonly ReplicationMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly ILoggerFactory _loggers;
    private readonly ILogger _logger;
    private readonly IShippingLease _lease;
    private readonly SemaphoreSlim _membership = new(1, 1);
    private readonly Dictionary<RegionId, RunningShipper> _shippers = [];
    private readonly CancellationTokenSource _stopping = new();
    private IDisposable? _reloadRegistration;
    private bool _started;

    public ReplicationService(IRecordStore store, IConfiguration configuration, ReplicationSettings settings, IHttpClientFactory httpClients,
        ReplicationMetrics metrics, TimeProvider time, ILoggerFactory loggers)
    {
        _store = store;
        _configuration = configuration;
        _settings = settings;
        _httpClients = httpClients;
        _metrics = metrics;
        _time = time;
        _loggers = loggers;
        _logger = loggers.CreateLogger<ReplicationService>();
        _lease = new CheckpointShippingLease(store, time, settings.Options.LeaseDuration, TimeSpan.FromMilliseconds(200));
        metrics.ObservePeers(ObservePeers);
    }

    /// <summary>The shippers running now (for status).</summary>
    public IReadOnlyList<PeerShipper> Shippers
    {
        get
        {
            lock (_shippers)
            {
                return _shippers.Values.Select(static s => s.Shipper).ToList();
            }
        }
    }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        _started = true;
        Log.LogInformationReplicationStarted(_logger, _settings.Region.Value, _store.Replica.ToString(), _settings.Peers.Count,
            string.Join("; ", _settings.Peers.Select(static p => $"{p.Region}={string.Join(",", p.Endpoints)}")));
        if (!_settings.IsAuthenticated && _settings.Peers.Count > 0)
        {
            Log.LogWarningReplicationUnauthenticated(_logger, string.Join(", ", _settings.Peers.Select(static p => p.Region.Value)));
        }

        await ReconcileAsync(_settings.Peers, cancellationToken);
        _store.RecordChanged += OnRecordChanged;
        _reloadRegistration = ChangeToken.OnChange(_configuration.GetReloadToken, OnConfigurationChanged);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (!_started)
        {
            return;
        }

        _started = false;
        _reloadRegistration?.Dispose();
        _store.RecordChanged -= OnRecordChanged;
        await _membership.WaitAsync(cancellationToken);
        try
        {
            await _stopping.CancelAsync();
            List<RunningShipper> running;
            lock (_shippers)
            {
                running = [.. _shippers.Values];
                _shippers.Clear();
            }

            foreach (var shipper in running)
            {
                await StopShipperAsync(shipper, cancellationToken);
            }
        }
        finally
        {
            _membership.Release();
        }
    }

    /// <summary>Schedules a full resend to <paramref name="region"/>; false when it is not a configured peer.</summary>
    public bool RequestResend(RegionId region)
    {
        lock (_shippers)
        {
            if (!_shippers.TryGetValue(region, out var running))
            {
                return false;
            }

            running.Shipper.RequestResend();
            return true;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync(CancellationToken.None);
        _stopping.Dispose();
        _membership.Dispose();
    }

    private void OnRecordChanged(object? sender, RecordChangedEventArgs e)
    {
        lock (_shippers)
        {
            foreach (var running in _shippers.Values)
            {
                running.Shipper.Wake();
            }
        }
    }

    private void OnConfigurationChanged()
    {
        if (!_started)
        {
            return;
        }

        _ = Task.Run(async () =>
        {
            try
            {
                var settings = ReplicationSettings.Load(_configuration);
                await ReconcileAsync(settings.Peers, _stopping.Token);
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

    private async Task ReconcileAsync(IReadOnlyList<PeerConfiguration> peers, CancellationToken cancellationToken)
    {
        await _membership.WaitAsync(cancellationToken);
        try
        {
            if (_stopping.IsCancellationRequested)
            {
                return;
            }

            var wanted = peers.ToDictionary(static p => p.Region);
            List<RunningShipper> removed;
            lock (_shippers)
            {
                removed = _shippers.Where(p => !wanted.TryGetValue(p.Key, out var config) || !config.Endpoints.SequenceEqual(p.Value.Configuration.Endpoints))
                    .Select(static p => p.Value).ToList();
            }

            foreach (var running in removed)
            {
                // Stop first, then forget: once a peer is gone from the status, nothing more is sent to it.
                await StopShipperAsync(running, cancellationToken);
                lock (_shippers)
                {
                    _shippers.Remove(running.Configuration.Region);
                }

                if (!wanted.ContainsKey(running.Configuration.Region))
                {
                    var backlog = await running.Shipper.RefreshBacklogAsync(cancellationToken);
                    Log.LogWarningPeerRemoved(_logger, running.Shipper.Region, backlog.Backlog, running.Shipper.Checkpoint);
                }
            }

            foreach (var peer in peers)
            {
                bool exists;
                lock (_shippers)
                {
                    exists = _shippers.ContainsKey(peer.Region);
                }

                if (!exists)
                {
                    var running = await StartShipperAsync(peer, cancellationToken);
                    lock (_shippers)
                    {
                        _shippers[peer.Region] = running;
                    }
                }
            }
        }
        finally
        {
            _membership.Release();
        }
    }

    private async Task<RunningShipper> StartShipperAsync(PeerConfiguration peer, CancellationToken cancellationToken)
    {
        var logger = _loggers.CreateLogger<PeerShipper>();
        var http = _httpClients.CreateClient(HttpClientName);
        http.Timeout = _settings.Options.RequestTimeout;
        var signer = _settings.IsAuthenticated ? new RequestSigner(_settings.Options.Secret!) : null;
        var client = new PeerClient(peer, http, signer, _time, logger);
        var shipper = new PeerShipper(peer, _store, client, _lease, _settings.Options, _metrics, _time, logger);
        await shipper.InitializeAsync(cancellationToken);
        Log.LogInformationPeerAdded(_logger, peer.Region.Value, shipper.Checkpoint);
        var cts = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
        var task = Task.Run(() => shipper.RunAsync(cts.Token), CancellationToken.None);
        return new RunningShipper(peer, shipper, cts, task);
    }

    private static async Task StopShipperAsync(RunningShipper running, CancellationToken cancellationToken)
    {
        await running.Cancellation.CancelAsync();
        try
        {
            await running.Task.WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException) when (running.Cancellation.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            // The loop ended by cancellation.
        }

        running.Cancellation.Dispose();
        try
        {
            await running.Shipper.ReleaseLeaseAsync(cancellationToken);
        }
        catch (Exception e) when (e is RecordStoreException or ObjectDisposedException or InvalidOperationException)
        {
            // The lease lapses on its own.
        }
    }

    private IEnumerable<(string Peer, long Backlog, double LagSeconds)> ObservePeers()
    {
        var now = _time.GetUtcNow();
        foreach (var shipper in Shippers)
        {
            var lag = shipper.OldestUnacknowledgedAt is { } oldest ? Math.Max(0, (now - oldest).TotalSeconds) : 0;
            yield return (shipper.Region, shipper.LastKnownBacklog, lag);
        }
    }

    private sealed record RunningShipper(PeerConfiguration Configuration, PeerShipper Shipper, CancellationTokenSource Cancellation, Task Task);
}
