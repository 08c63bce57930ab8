using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace OrleansCausal.LoadTool.OpenLoop;

/// <summary>The servers of an open-loop run, all started up front: the gateway (an in-process silo, or --target) and the bare endpoints --side asks for.</summary>
internal sealed class OpenLoopSides : IAsyncDisposable
{
    private readonly List<IAsyncDisposable> _servers = [];

    public List<(string Side, Uri Address, string PathPrefix)> All { get; } = [];

    public static async Task<OpenLoopSides> StartAsync(LoadOptions options, string databasePath)
    {
        var sides = new OpenLoopSides();
        if (options.Side is "both" or "gateway")
        {
            if (options.Target is { } target)
            {
                sides.All.Add(("gateway", target, "/v1/kv/default/"));
            }
            else
            {
                var silo = LoadSilo.Build(options, databasePath);
                await silo.StartAsync();
                sides._servers.Add(silo);
                sides.All.Add(("gateway", new Uri(silo.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single()), "/v1/kv/default/"));
            }
        }

        if (options.Side is "both" or "raw")
        {
            var bare = await BareKestrelEndpoint.StartAsync(databasePath);
            sides._servers.Add(bare);
            sides.All.Add(("bare naive", bare.Address, "/raw/"));
        }

        if (options.Side is "both" or "raw-group")
        {
            var bare = await GroupCommitBareEndpoint.StartAsync(databasePath);
            sides._servers.Add(bare);
            sides.All.Add(("bare group-commit", bare.Address, "/raw/"));
        }

        return sides;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var server in Enumerable.Reverse(_servers))
        {
            if (server is WebApplication app)
            {
                await app.StopAsync();
            }

            await server.DisposeAsync();
        }
    }
}
