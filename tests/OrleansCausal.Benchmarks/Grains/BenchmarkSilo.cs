using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OrleansCausal.Core;
using OrleansCausal.Runtime.Hosting;
using OrleansCausal.Runtime.Storage;
using OrleansCausal.Storage;
using OrleansCausal.Storage.Sqlite;

namespace OrleansCausal.Benchmarks.Grains;

/// <summary>
/// One Orleans silo in the benchmark process, wired as the silo executable wires the runtime
/// (<see cref="OrleansCausalSiloBuilderExtensions.AddOrleansCausal"/> over a registered <see cref="IRecordStore"/>) on
/// localhost clustering with ports the OS picked. <c>memory</c>: the in-memory store (isolates the runtime's cost);
/// <c>sqlite</c>: a SQLite file in a temporary directory (WAL, synchronous=FULL: the durable path). Logging at Warning,
/// as the load tool runs the silo. The store is opened by the silo (the grain storage's lifecycle stage).
/// </summary>
internal sealed class BenchmarkSilo : IAsyncDisposable
{
    private const string Region = "bench";
    private readonly IHost _host;
    private readonly string? _directory;

    private BenchmarkSilo(IHost host, string? directory)
    {
        _host = host;
        _directory = directory;
    }

    public IGrainFactory Grains => _host.Services.GetRequiredService<IGrainFactory>();

    public IRecordStore Store => _host.Services.GetRequiredService<IRecordStore>();

    public IServiceProvider Services => _host.Services;

    public static async Task<BenchmarkSilo> StartAsync(string store)
    {
        var directory = store == "sqlite" ? Directory.CreateTempSubdirectory("oc-bench-grains-").FullName : null;
        var configuration = new ConfigurationBuilder().AddInMemoryCollection([new("Region", Region)]).Build();
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        if (directory is null)
        {
            builder.Services.AddInMemoryRecordStore(RegionId.Parse(Region));
        }
        else
        {
            builder.Services.AddSqliteRecordStore(o => (o.Path, o.Region) = (Path.Combine(directory, "bench.db"), RegionId.Parse(Region)));
        }

        builder.UseOrleans(silo => silo
            .UseLocalhostClustering(FreePort(), FreePort())
            .AddOrleansCausal(configuration));
        var host = builder.Build();
        await host.StartAsync();
        return new BenchmarkSilo(host, directory);
    }

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync();
        _host.Dispose();
        if (_directory is not null)
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
