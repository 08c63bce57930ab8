using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans.Configuration;
using Orleans.Hosting;
using Orleans.Runtime;
using OrleansCausal.Clustering.Postgres.Hosting;

namespace OrleansCausal.Storage.Tests.Membership;

/// <summary>A real silo on a free loopback port, clustered through PostgreSQL with the LAN timing (no gateway).
/// Used in process by the test and in the child process (<see cref="MembershipChildSilo"/>).</summary>
internal static class MembershipSilo
{
    public static IHost Build(string connectionString, string clusterId)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.UseOrleans(silo => silo
            .Configure<ClusterOptions>(options =>
            {
                options.ClusterId = clusterId;
                options.ServiceId = "orleanscausal-membership-tests";
            })
            .Configure<EndpointOptions>(options =>
            {
                options.AdvertisedIPAddress = IPAddress.Loopback;
                options.SiloPort = FreePort();
                options.GatewayPort = 0;
            })
            .UsePostgresClustering(options => options.ConnectionString = connectionString)
            .UseLanMembershipTiming());
        return builder.Build();
    }

    public static SiloAddress Address(this IHost host) => host.Services.GetRequiredService<ILocalSiloDetails>().SiloAddress;

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
