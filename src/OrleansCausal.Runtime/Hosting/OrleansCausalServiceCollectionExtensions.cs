using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using OrleansCausal.Core.Resolvers;
using OrleansCausal.Runtime.Grains;
using OrleansCausal.Runtime.Client;
using OrleansCausal.Runtime.Diagnostics;
using OrleansCausal.Runtime.Namespaces;
using OrleansCausal.Runtime.Options;
using OrleansCausal.Runtime.Records;
using OrleansCausal.Runtime.Replication;

namespace OrleansCausal.Runtime.Hosting;

public static class OrleansCausalServiceCollectionExtensions
{
    /// <summary>
    /// Registers the region runtime: options bound from <paramref name="configuration"/> and validated at start,
    /// record grains' services (change notices), <see cref="RecordService"/>, <see cref="ICausalClient"/>, the resolver registry, metrics and
    /// <see cref="NoReplicationStatus"/> (replaced by the replication module). The <see cref="Storage.IRecordStore"/>
    /// is registered by the host (a backend's Add…RecordStore, or a test).
    /// </summary>
    public static IServiceCollection AddOrleansCausal(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<OrleansCausalOptions>().ValidateOnStart();
        services.AddSingleton<IConfigureOptions<OrleansCausalOptions>>(new OrleansCausalOptionsSetup(configuration));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<OrleansCausalOptions>, OrleansCausalOptionsValidator>());
        services.AddMetrics();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp =>
        {
            var registry = new ResolverRegistry();
            foreach (var custom in sp.GetServices<CustomResolverRegistration>())
            {
                registry.Register(custom.Resolver);
            }

            return registry;
        });
        services.TryAddSingleton<NamespaceCatalog>();
        services.TryAddSingleton<RecordInputValidator>();
        services.TryAddSingleton<SiblingDiagnostics>();
        services.TryAddSingleton<RuntimeMetrics>();
        services.TryAddSingleton<RecordChangeNotices>();
        services.TryAddSingleton<RecordService>();
        services.TryAddSingleton<ICausalClient, CausalClient>();
        services.TryAddSingleton<IReplicationStatus, NoReplicationStatus>();
        services.TryAddSingleton<Storage.StorageFiguresCache>();
        services.TryAddSingleton<Storage.IStorageStatus, Storage.StoreFiguresStatus>();
        return services;
    }

    /// <summary>Registers a resolver written in code; namespaces then name it in <c>Namespaces:{name}:Resolver</c>.</summary>
    public static IServiceCollection AddCausalResolver(this IServiceCollection services, IValueResolver resolver)
    {
        ArgumentNullException.ThrowIfNull(resolver);
        services.AddSingleton(new CustomResolverRegistration(resolver));
        return services;
    }
}

/// <summary>A resolver registered in code with <see cref="OrleansCausalServiceCollectionExtensions.AddCausalResolver"/>.</summary>
public sealed record CustomResolverRegistration(IValueResolver Resolver);
