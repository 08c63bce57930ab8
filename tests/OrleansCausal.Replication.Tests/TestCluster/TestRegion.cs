using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;
using OrleansCausal.Clustering.Postgres.Hosting;
using OrleansCausal.Gateway;
using OrleansCausal.Runtime.Replication;

namespace OrleansCausal.Replication.Tests.TestCluster;

/// <summary>
/// One region of a test cluster: an Orleans <see cref="InProcessTestCluster"/> (ClusterId = the region) whose silos
/// each run exactly what a production silo runs (<see cref="SiloComposition.AddOrleansCausalSilo(Microsoft.Extensions.Hosting.IHostApplicationBuilder, Action{ISiloBuilder})"/>:
/// store, record runtime, replicator, gateway) and serve the gateway and replication endpoints with Kestrel on
/// 127.0.0.1 (an OS-assigned port). Only the clustering differs: Orleans' in-process membership and transport,
/// with the LAN membership timing a multi-silo production region uses. The configuration is reloadable (peers can be
/// added or removed while the region runs).
/// </summary>
public sealed class TestRegion : IAsyncDisposable
{
    private readonly InProcessTestCluster _cluster;
    private readonly SemaphoreSlim _starts = new(1, 1);
    private bool _deployed;

    internal TestRegion(string name, string dataDirectory, int silos, IReadOnlyDictionary<string, string?> settings, Action<IServiceCollection>? configureServices)
    {
        Name = name;
        DataDirectory = dataDirectory;
        var builder = new InProcessTestClusterBuilder(0);
        builder.Options.ClusterId = name;
        builder.Options.ServiceId = SiloApplication.ServiceId;
        builder.Options.ConfigureFileLogging = false;
        builder.Options.InitializeClientOnDeploy = false;
        builder.ConfigureSiloHost((_, host) =>
        {
            host.Configuration.AddInMemoryCollection(settings);
            host.Configuration.Add(Configuration);
            host.AddOrleansCausalSilo(silo => silo.UseLanMembershipTiming());
            configureServices?.Invoke(host.Services);
            host.AddWebHost(web => web
                .UseKestrel()
                .UseUrls(host.Configuration["Urls"]!)
                .Configure(app => app.UseOrleansCausalSilo()));
        });
        _cluster = builder.Build();
        for (var i = 0; i < silos; i++)
        {
            Silos.Add(new TestSilo(this, i));
        }
    }

    public string Name { get; }

    public string DataDirectory { get; }

    public ReloadableConfigurationSource Configuration { get; } = new();

    public List<TestSilo> Silos { get; } = [];

    /// <summary>The first running silo.</summary>
    public TestSilo Silo => Silos.First(s => s.IsRunning);

    public IReadOnlyList<Uri> LiveAddresses => Silos.Where(s => s.IsRunning).Select(s => s.BaseAddress).ToList();

    public KvClient Client() => Silo.Client();

    public Task<IReadOnlyList<PeerReplicationStatus>> StatusAsync() =>
        Silo.Services.GetRequiredService<IReplicationStatus>().GetPeersAsync(CancellationToken.None);

    /// <summary>Starts one more silo in the region's cluster (one at a time: Orleans numbers them as they start).</summary>
    internal async Task<InProcessSiloHandle> StartSiloAsync()
    {
        await _starts.WaitAsync();
        try
        {
            if (!_deployed)
            {
                await _cluster.DeployAsync();
                _deployed = true;
            }

            return await _cluster.StartAdditionalSiloAsync();
        }
        finally
        {
            _starts.Release();
        }
    }

    internal Task StopSiloAsync(InProcessSiloHandle silo) => _cluster.StopSiloAsync(silo);

    internal Task KillSiloAsync(InProcessSiloHandle silo) => _cluster.KillSiloAsync(silo);

    public async ValueTask DisposeAsync()
    {
        foreach (var silo in Silos)
        {
            await silo.StopAsync();
        }

        await _cluster.DisposeAsync();
    }

    public override string ToString() => Name;
}
