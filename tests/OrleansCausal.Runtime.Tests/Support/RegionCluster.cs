using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;
using OrleansCausal.Examples.Compliance;
using OrleansCausal.Runtime.Grains;
using OrleansCausal.Runtime.Hosting;
using OrleansCausal.Storage;

namespace OrleansCausal.Runtime.Tests.Support;

/// <summary>
/// One region as an Orleans test cluster (<see cref="InProcessTestCluster"/>): <paramref name="silos"/> silos sharing
/// one store (like a region's silos sharing a database) behind a <see cref="ProbeStore"/>, each running the record
/// runtime exactly as the silo executable does (<see cref="OrleansCausalSiloBuilderExtensions.AddOrleansCausal"/>).
/// </summary>
public sealed class RegionCluster : IAsyncDisposable
{
    private RegionCluster(InProcessTestCluster cluster, ProbeStore probe)
    {
        Cluster = cluster;
        Probe = probe;
    }

    public InProcessTestCluster Cluster { get; }

    public ProbeStore Probe { get; }

    public IGrainFactory Grains => Cluster.Client;

    public static async Task<RegionCluster> StartAsync(
        IRecordStore store, short silos = 1, IDictionary<string, string?>? settings = null, bool forwardNotices = true)
    {
        var probe = new ProbeStore(store, forwardNotices, ownsInner: true);
        var all = new Dictionary<string, string?> { ["Region"] = "A" };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            all[key] = value;
        }

        var configuration = new ConfigurationBuilder().AddInMemoryCollection(all).Build();
        var builder = new InProcessTestClusterBuilder(silos);
        builder.Options.ConfigureFileLogging = false;
        builder.ConfigureSiloHost((_, host) => host.Services
            .AddSingleton<IRecordStore>(probe)
            .AddComplianceStatusExample());
        builder.ConfigureSilo((_, silo) => silo.AddOrleansCausal(configuration));
        var cluster = builder.Build();
        await cluster.DeployAsync();
        return new RegionCluster(cluster, probe);
    }

    public IRecordGrain Record(string key, string @namespace = "default") => Grains.GetRecordGrain(new RecordKey(@namespace, key));

    /// <summary>The silos on which a record grain of <paramref name="key"/> is active now.</summary>
    public IReadOnlyList<InProcessSiloHandle> SilosHosting(RecordKey key) =>
        Cluster.GetActiveSilos()
            .Where(s => s.SiloHost.Services.GetRequiredService<RecordChangeNotices>().IsRegistered(key))
            .ToArray();

    public async ValueTask DisposeAsync() => await Cluster.DisposeAsync();
}
