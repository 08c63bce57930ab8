using Microsoft.Extensions.DependencyInjection;
using OrleansCausal.Core;
using OrleansCausal.Runtime.Storage;
using OrleansCausal.Storage.Postgres;
using OrleansCausal.Storage.Sqlite;

namespace OrleansCausal.Gateway.Hosting;

/// <summary>The <c>Store</c> setting's kinds, each mapped to its backend's own <c>Add…RecordStore</c> extension.</summary>
internal static class StoreRegistration
{
    private static readonly Dictionary<string, Action<IServiceCollection, StoreSpecification, RegionId>> Backends = new(StringComparer.Ordinal)
    {
        [StoreSpecification.Sqlite] = (services, spec, region) =>
            services.AddSqliteRecordStore(o => (o.Path, o.Region) = (spec.Target, region)),
        [StoreSpecification.Postgres] = (services, spec, region) =>
            services.AddPostgresRecordStore(o => (o.ConnectionString, o.Region) = (spec.Target, region)),
        [StoreSpecification.Memory] = (services, _, region) => services.AddInMemoryRecordStore(region),
    };

    public static IServiceCollection AddRecordStore(this IServiceCollection services, StoreSpecification spec, RegionId region)
    {
        Backends[spec.Kind](services, spec, region);
        return services;
    }
}
