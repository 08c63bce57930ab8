using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OrleansCausal.Gateway;
using OrleansCausal.Storage;

namespace OrleansCausal.Replication.Tests.TestCluster;

/// <summary>One silo of a test region: a real <see cref="SiloApplication"/> on 127.0.0.1 with an OS-assigned port.
/// Stop and start again on the same store (the port changes; the link proxy follows).</summary>
public sealed class TestSilo : IAsyncDisposable
{
    private readonly TestRegion _region;
    private readonly Dictionary<string, string?> _settings;
    private WebApplication? _app;

    private readonly Action<IServiceCollection>? _configureServices;

    internal TestSilo(TestRegion region, int index, Dictionary<string, string?> settings, Action<IServiceCollection>? configureServices = null)
    {
        _configureServices = configureServices;
        _region = region;
        Index = index;
        _settings = settings;
    }

    public int Index { get; }

    public bool IsRunning => _app is not null;

    /// <summary>The silo's base address while it runs.</summary>
    public Uri BaseAddress { get; private set; } = null!;

    public IServiceProvider Services => (_app ?? throw new InvalidOperationException($"Silo {_region.Name}/{Index} is stopped.")).Services;

    public IRecordStore Store => Services.GetRequiredService<IRecordStore>();

    public KvClient Client() => new(BaseAddress);

    public async Task StartAsync()
    {
        if (_app is not null)
        {
            return;
        }

        var app = SiloApplication.Build([], builder =>
        {
            builder.AddInMemoryCollection(_settings);
            builder.Add(_region.Configuration);
        }, _configureServices);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        BaseAddress = new Uri(address.TrimEnd('/') + "/");
        _app = app;
    }

    public async Task StopAsync()
    {
        var app = _app;
        if (app is null)
        {
            return;
        }

        _app = null;
        await app.StopAsync();
        await app.DisposeAsync();
    }

    public async Task RestartAsync()
    {
        await StopAsync();
        await StartAsync();
    }

    public ValueTask DisposeAsync() => new(StopAsync());

    public override string ToString() => $"{_region.Name}/{Index}";
}
