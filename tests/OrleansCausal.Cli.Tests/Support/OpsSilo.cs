using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OrleansCausal.Gateway;

namespace OrleansCausal.Cli.Tests.Support;

/// <summary>A real silo (SiloApplication + Kestrel on 127.0.0.1, OS-assigned port, fresh SQLite file), as
/// tests/OrleansCausal.Runtime.Tests/Support/TestSilo.cs starts one.</summary>
public sealed class OpsSilo : IAsyncDisposable
{
    private OpsSilo(WebApplication app, Uri address, string directory)
    {
        App = app;
        Address = address;
        Directory = directory;
        Client = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(30) };
    }

    public WebApplication App { get; }

    public Uri Address { get; }

    public HttpClient Client { get; }

    /// <summary>A temp directory of this silo (its database; tests put session directories under it).</summary>
    public string Directory { get; }

    public static async Task<OpsSilo> StartAsync(IDictionary<string, string?>? settings = null, Action<IServiceCollection>? configureServices = null)
    {
        var directory = Path.Combine(Path.GetTempPath(), $"oc-cli-tests-{Guid.NewGuid():N}");
        System.IO.Directory.CreateDirectory(directory);
        var all = new Dictionary<string, string?>
        {
            ["Region"] = "A",
            ["Urls"] = "http://127.0.0.1:0",
            ["Store"] = "sqlite:" + Path.Combine(directory, "region.db"),
            ["Context:SigningKey"] = "cli-tests-signing-key-0123456789abcdef",
            ["Logging:LogLevel:Default"] = "Warning",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            all[key] = value;
        }

        var app = SiloApplication.Build([], c => c.AddInMemoryCollection(all), configureServices);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await app.StartAsync(timeout.Token);
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }

        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        return new OpsSilo(app, new Uri(address), directory);
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await App.StopAsync(timeout.Token);
        await App.DisposeAsync();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
