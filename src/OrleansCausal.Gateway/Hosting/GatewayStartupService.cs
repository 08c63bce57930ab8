using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OrleansCausal.Core.Tokens;
using OrleansCausal.Gateway.Diagnostics;

namespace OrleansCausal.Gateway.Hosting;

/// <summary>
/// Settles the context signing key and marks the gateway ready once the silo is up (the silo's grain storage opened
/// the store), before the server accepts requests; marks it not ready when the host stops (the server's host service
/// is registered last, so it starts last and stops first; the silo closes the store after it).
/// </summary>
internal sealed class GatewayStartupService(
    SiloSettings settings,
    ContextTokens tokens,
    SiloReadiness readiness,
    ILogger<GatewayStartupService> logger) : IHostedService
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
        // The silo started before this service (registration order), so its grain storage has opened the store.
        readiness.StoreOpen = true;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        readiness.StoreOpen = false;
        return Task.CompletedTask;
    }
}
