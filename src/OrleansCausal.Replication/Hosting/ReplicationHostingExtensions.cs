using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using OrleansCausal.Replication.Collection;
using OrleansCausal.Replication.Hosting;
using OrleansCausal.Replication.Inbound;
using OrleansCausal.Replication.Outbound;
using OrleansCausal.Runtime.Replication;
using OrleansCausal.Runtime.Storage;

namespace OrleansCausal.Replication;

/// <summary>Registers the replicator (call after the store is registered) and maps its endpoints.</summary>
public static class ReplicationHostingExtensions
{
    /// <summary>
    /// Adds cross-region replication: the settings (validated now — an invalid configuration, or a non-loopback
    /// peer without <c>Replication:Secret</c>, stops the silo from starting with a clear message), the inbound
    /// applier, the outbound shippers (a hosted service), the status and the metrics, and the storage garbage
    /// collector (<c>Storage:*</c>, validated at start; a hosted service). Needs an
    /// <see cref="Storage.IRecordStore"/> registered by the runtime, opened before hosted services start.
    /// </summary>
    public static IServiceCollection AddOrleansCausalReplication(this IServiceCollection services, IConfiguration configuration)
    {
        var settings = ReplicationSettings.Load(configuration);
        services.AddSingleton(settings);
        services.TryAddSingleton(TimeProvider.System);
        services.AddMetrics();
        services.AddHttpClient(PeerShipperFactory.HttpClientName);
        services.AddSingleton<ReplicationMetrics>();
        services.AddSingleton<InboundAuthenticator>();
        services.AddSingleton<InboundBatchApplier>();
        services.AddSingleton<PeerShipperFactory>();
        services.AddSingleton<LocalShippers>();
        services.AddSingleton(sp => ActivatorUtilities.CreateInstance<PeerShipperKeeper>(sp, configuration));
        services.AddHostedService(static sp => sp.GetRequiredService<PeerShipperKeeper>());
        services.RemoveAll<IReplicationStatus>();
        services.AddSingleton<IReplicationStatus, ReplicationStatus>();
        services.AddOptions<StorageOptions>().Bind(configuration.GetSection(StorageOptions.SectionName)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<StorageOptions>, StorageOptionsValidator>();
        services.AddSingleton<MemberProbe>();
        services.AddSingleton<StorageCollector>();
        services.AddHostedService<StorageCollectorService>();
        services.RemoveAll<IStorageStatus>();
        services.AddSingleton<IStorageStatus, CollectionStorageStatus>();
        return services;
    }

    /// <summary>Maps <c>/v1/replication/*</c> (see <see cref="ReplicationEndpoints"/>).</summary>
    public static IEndpointRouteBuilder MapOrleansCausalReplication(this IEndpointRouteBuilder app) =>
        ReplicationEndpoints.Map(app);
}
