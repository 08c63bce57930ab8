using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;
using OrleansCausal.Storage;

namespace OrleansCausal.Replication.Tests.TestCluster;

/// <summary>One silo of a test region: a silo of the region's Orleans test cluster, serving HTTP on 127.0.0.1 with an
/// OS-assigned port. Stop (gracefully), kill (no graceful shutdown) and start again on the region's store; the port
/// changes and the link proxy follows.</summary>
public sealed class TestSilo : IAsyncDisposable
{
    private readonly TestRegion _region;
    private InProcessSiloHandle? _handle;

    internal TestSilo(TestRegion region, int index)
    {
        _region = region;
        Index = index;
    }

    public int Index { get; }

    public bool IsRunning => _handle is not null;

    /// <summary>The silo's base address while it runs.</summary>
    public Uri BaseAddress { get; private set; } = null!;

    public IServiceProvider Services => (_handle ?? throw new InvalidOperationException($"Silo {this} is stopped.")).SiloHost.Services;

    /// <summary>The Orleans silo address while it runs (what <c>/v1/status</c> names as a peer's shipper).</summary>
    public string SiloAddress => (_handle ?? throw new InvalidOperationException($"Silo {this} is stopped.")).SiloAddress.ToString();

    public IRecordStore Store => Services.GetRequiredService<IRecordStore>();

    public KvClient Client() => new(BaseAddress);

    public async Task StartAsync()
    {
        if (_handle is not null)
        {
            return;
        }

        var handle = await _region.StartSiloAsync();
        var address = handle.SiloHost.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        BaseAddress = new Uri(address.TrimEnd('/') + "/");
        _handle = handle;
    }

    /// <summary>An orderly stop: grains deactivate, the shipper flushes its checkpoint, the store closes.</summary>
    public async Task StopAsync()
    {
        var handle = Interlocked.Exchange(ref _handle, null);
        if (handle is not null)
        {
            await _region.StopSiloAsync(handle);
        }
    }

    /// <summary>A crash: Orleans' test cluster stops the silo without its graceful shutdown (no deactivations, no
    /// leaving the membership); the region's other silos must notice it is gone.</summary>
    public async Task KillAsync()
    {
        var handle = Interlocked.Exchange(ref _handle, null);
        if (handle is not null)
        {
            await _region.KillSiloAsync(handle);
        }
    }

    public async Task RestartAsync()
    {
        await StopAsync();
        await StartAsync();
    }

    public ValueTask DisposeAsync() => new(StopAsync());

    public override string ToString() => $"{_region.Name}/{Index}";
}
