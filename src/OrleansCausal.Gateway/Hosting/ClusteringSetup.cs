using System.Net;
using Orleans.Configuration;
using OrleansCausal.Clustering.Postgres.Hosting;

namespace OrleansCausal.Gateway.Hosting;

/// <summary>
/// How a region's silos find each other. One Orleans cluster per region (ClusterId = the region), no cross-region
/// quorum. With a PostgreSQL store the region's silos keep their membership in that same database and may be many;
/// otherwise (SQLite, memory) the silo is a one-silo cluster with Orleans' localhost clustering.
/// </summary>
internal static class ClusteringSetup
{
    public static ISiloBuilder UseRegionClustering(this ISiloBuilder silo, SiloSettings settings, OrleansSettings orleans)
    {
        silo.Configure<ClusterOptions>(o =>
        {
            o.ClusterId = settings.Region.Value;
            o.ServiceId = SiloApplication.ServiceId;
        });
        if (settings.Store.Kind == StoreSpecification.Postgres)
        {
            return silo
                .UsePostgresClustering(o => o.ConnectionString = settings.Store.Target)
                .UseLanMembershipTiming()
                .ConfigureEndpoints(orleans.AdvertisedAddress, orleans.SiloPort, orleans.GatewayPort, listenOnAnyHostAddress: !IPAddress.IsLoopback(orleans.AdvertisedAddress));
        }

        return silo.UseLocalhostClustering(orleans.SiloPort, orleans.GatewayPort, serviceId: SiloApplication.ServiceId, clusterId: settings.Region.Value);
    }
}
