using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OrleansCausal.Gateway.Auth;
using OrleansCausal.Gateway.Endpoints;
using OrleansCausal.Gateway.Health;
using OrleansCausal.Gateway.Hosting;
using OrleansCausal.Gateway.Operations;
using OrleansCausal.Replication;
using OrleansCausal.Runtime.Hosting;

namespace OrleansCausal.Gateway;

/// <summary>
/// What every silo of a region runs, whoever hosts it: <see cref="SiloApplication"/> (a <see cref="WebApplication"/>)
/// or a test cluster's silo host. One place, so a test region runs exactly the production registrations.
/// </summary>
public static class SiloComposition
{
    /// <summary>As <see cref="AddOrleansCausalSilo(IHostApplicationBuilder, SiloSettings, Action{ISiloBuilder})"/>, with
    /// the settings read from the builder's configuration (<c>Region</c>, <c>Store</c>, ...).</summary>
    public static IHostApplicationBuilder AddOrleansCausalSilo(this IHostApplicationBuilder builder, Action<ISiloBuilder> configureClustering) =>
        builder.AddOrleansCausalSilo(SiloSettingsReader.Read(builder.Configuration), configureClustering);

    /// <summary>
    /// Registers, in start order: the store, the Orleans silo with the record runtime (its clustering from
    /// <paramref name="configureClustering"/>), then — starting once the silo is up (store open) and stopping before
    /// it — the gateway's start-up checks, the replicator, the HTTP services and telemetry. The host adds the web
    /// server and calls <see cref="UseOrleansCausalSilo"/>.
    /// </summary>
    internal static IHostApplicationBuilder AddOrleansCausalSilo(this IHostApplicationBuilder builder, SiloSettings settings, Action<ISiloBuilder> configureClustering)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(configureClustering);
        builder.Services.AddSingleton(settings);
        builder.Services.AddSingleton<ContextTokens>();
        builder.Services.AddRecordStore(settings.Store, settings.Region, StoreRegistration.OperationWindowOf(builder.Configuration), builder.Configuration);
        builder.UseOrleans(silo =>
        {
            configureClustering(silo);
            silo.AddOrleansCausal(builder.Configuration).AddOrleansCausalOperations(builder.Configuration);
        });
        builder.Services.AddHostedService<GatewayStartupService>();
        builder.Services.AddOrleansCausalReplication(builder.Configuration);
        builder.Services.AddGatewayHttp(builder.Configuration);
        builder.AddOrleansCausalTelemetry();
        return builder;
    }

    /// <summary>The request pipeline and every endpoint of a silo: the gateway's middleware
    /// (<see cref="GatewayHttpExtensions.UseGatewayHttp"/>), then the KV API, status,
    /// explain, diagnostics, explorer, health, OpenAPI, replication and operator endpoints (the last behind the operator policy).</summary>
    public static IApplicationBuilder UseOrleansCausalSilo(this IApplicationBuilder app)
    {
        app.UseGatewayHttp();
        app.UseEndpoints(endpoints =>
        {
            endpoints.MapOpenApi();
            endpoints.MapKv();
            endpoints.MapStatus();
            endpoints.MapExplain();
            endpoints.MapDiagnostics();
            endpoints.MapExplorer();
            endpoints.MapHealth();
            endpoints.MapGroup(string.Empty).RequireApiKeyForReads().MapOrleansCausalReplication();
            endpoints.MapOrleansCausalOperations();
        });
        return app;
    }
}
