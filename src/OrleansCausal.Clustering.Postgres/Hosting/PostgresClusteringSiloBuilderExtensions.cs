using Microsoft.Extensions.DependencyInjection;
using Orleans;
using Orleans.Hosting;

namespace OrleansCausal.Clustering.Postgres.Hosting;

/// <summary>Silo-builder extensions for the PostgreSQL membership table.</summary>
public static class PostgresClusteringSiloBuilderExtensions
{
    /// <summary>
    /// Keeps this silo's cluster membership in PostgreSQL (<see cref="PostgresMembershipTable"/>): registers the table
    /// as the silo's <see cref="IMembershipTable"/>, the options and their validator (run at silo start). Membership
    /// timing is left as configured; <see cref="LanMembershipTimingExtensions.UseLanMembershipTiming"/> applies timing
    /// suited to silos on one host or LAN.
    /// </summary>
    public static ISiloBuilder UsePostgresClustering(this ISiloBuilder builder, Action<PostgresClusteringOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        return builder.ConfigureServices(services =>
        {
            services.Configure(configure);
            services.AddSingleton<PostgresMembershipTable>();
            services.AddSingleton<IMembershipTable>(sp => sp.GetRequiredService<PostgresMembershipTable>());
            services.AddSingleton<IConfigurationValidator, PostgresClusteringOptionsValidator>();
        });
    }
}
