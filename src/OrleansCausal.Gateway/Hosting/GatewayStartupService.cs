using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OrleansCausal.Core.Tokens;
using OrleansCausal.Gateway.Diagnostics;

namespace OrleansCausal.Gateway.Hosting;

/// <summary>
/// Settles the context signing key once the silo is up (the silo's grain storage opened the store), before the server
/// accepts requests (the server's host service is registered last, so it starts last and stops first). Readiness is
/// the health checks' job (<see cref="Health.HealthEndpoints"/>).
/// </summary>
internal sealed class GatewayStartupService(
    SiloSettings settings,
    ContextTokens tokens,
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
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
