using Microsoft.Extensions.Logging;
using OrleansCausal.Replication.Hosting;
using OrleansCausal.Replication.Wire;
using OrleansCausal.Storage;

namespace OrleansCausal.Replication.Outbound;

/// <summary>Builds and starts the <see cref="PeerSession"/> of one peer from the silo's services.</summary>
public sealed class PeerShipperFactory(IRecordStore store, ReplicationSettings settings, IHttpClientFactory httpClients, ReplicationMetrics metrics,
    TimeProvider time, ILoggerFactory loggers)
{
    public const string HttpClientName = "OrleansCausal.Replication";

    /// <summary>Reads the peer's checkpoint and starts its shipping loop (off the caller's scheduler).</summary>
    public async Task<RunningShipper> StartAsync(PeerConfiguration peer, CancellationToken cancellationToken)
    {
        var logger = loggers.CreateLogger<PeerSession>();
        var http = httpClients.CreateClient(HttpClientName);
        http.Timeout = settings.Options.RequestTimeout;
        var signer = settings.IsAuthenticated ? new RequestSigner(settings.Options.Secret!) : null;
        var client = new PeerClient(peer, http, signer, time, logger);
        var shipper = new PeerSession(peer, store, client, settings.Options, metrics, time, logger);
        await shipper.InitializeAsync(cancellationToken);
        var cancellation = new CancellationTokenSource();
        var task = Task.Run(() => shipper.RunAsync(cancellation.Token), CancellationToken.None);
        return new RunningShipper(shipper, cancellation, task);
    }
}

/// <summary>A shipper and its loop.</summary>
public sealed class RunningShipper(PeerSession shipper, CancellationTokenSource cancellation, Task loop)
{
    public PeerSession Shipper => shipper;

    /// <summary>Ends the loop and makes the acknowledged checkpoint durable.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await cancellation.CancelAsync();
        try
        {
            await loop.WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // The loop ended by cancellation.
        }

        cancellation.Dispose();
        try
        {
            await shipper.StopAsync(cancellationToken);
        }
        catch (Exception e) when (e is RecordStoreException or ObjectDisposedException or InvalidOperationException)
        {
            // The store is closing; the checkpoint only lags (the peer absorbs the re-sent batches).
        }
    }
}
