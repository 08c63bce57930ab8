using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OrleansCausal.Core.Tokens;
using OrleansCausal.Gateway.Diagnostics;
using OrleansCausal.Storage;

namespace OrleansCausal.Gateway.Hosting;

/// <summary>
/// Opens the store (and settles the signing key) when the host starts, before the server accepts requests, and
/// disposes it when the host stops, after the server has drained in-flight requests (the server's host service is
/// registered last, so it starts last and stops first).
/// </summary>
internal sealed class StoreLifetimeService(
    IRecordStore store,
    SiloSettings settings,
    ContextTokens tokens,
    SiloReadiness readiness,
    ILogger<StoreLifetimeService> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (settings.RegionDefaulted)
        {
            GatewayLog.LogWarningRegionDefaulted(logger, settings.Region.Value);
        }

        if (settings.ApiKeys.Count == 0)
        {
            GatewayLog.LogWarningNoApiKeys(logger, string.Join(", ", settings.Urls));
        }

        var key = await SigningKeyResolver.ResolveAsync(settings, logger, cancellationToken).ConfigureAwait(false);
        tokens.Set(new ContextTokenCodec(key));
        await store.OpenAsync(cancellationToken).ConfigureAwait(false);
        if (store.Replica.Region != settings.Region)
        {
            throw new InvalidOperationException(
                $"The store {store.Description} belongs to region '{store.Replica.Region}', but this silo is configured for region '{settings.Region}'.");
        }

        readiness.StoreOpen = true;
        GatewayLog.LogInformationStoreOpen(logger, store.Description, store.Replica.ToString());
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        readiness.StoreOpen = false;
        await store.DisposeAsync().ConfigureAwait(false);
        GatewayLog.LogInformationStoreClosed(logger, store.Description);
    }
}
