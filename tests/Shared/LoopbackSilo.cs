using System.Net.Http.Headers;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OrleansCausal.Gateway;

namespace OrleansCausal.Tests.Shared;

/// <summary>
/// A real silo in process for tests that talk to it over HTTP: <see cref="SiloApplication"/> with Kestrel on
/// 127.0.0.1 (an OS-assigned port), region <c>A</c>, a fresh SQLite file in its own temp directory (removed on
/// dispose), and an <see cref="HttpClient"/> to it (sending <paramref name="bearer"/> when given).
/// </summary>
public sealed class LoopbackSilo : IAsyncDisposable
{
    private LoopbackSilo(WebApplication app, Uri address, string directory, string? bearer)
    {
        App = app;
        Address = address;
        Directory = directory;
        Client = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(30) };
        if (bearer is not null)
        {
            Client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        }
    }

    public WebApplication App { get; }

    public Uri Address { get; }

    public HttpClient Client { get; }

    /// <summary>This silo's temp directory (its database; tests may put their own files under it).</summary>
    public string Directory { get; }

    /// <summary>Starts a silo; <paramref name="settings"/> override the defaults (region A, loopback, the temp SQLite
    /// file, <paramref name="signingKey"/>, Warning logs).</summary>
    public static async Task<LoopbackSilo> StartAsync(
        string signingKey,
        IDictionary<string, string?>? settings = null,
        Action<IServiceCollection>? configureServices = null,
        string? bearer = null)
    {
        var directory = Path.Combine(Path.GetTempPath(), $"oc-silo-tests-{Guid.NewGuid():N}");
        System.IO.Directory.CreateDirectory(directory);
        var app = Build(signingKey, Path.Combine(directory, "region.db"), settings, configureServices);
        var address = await StartListeningAsync(app);
        return new LoopbackSilo(app, address, directory, bearer);
    }

    /// <summary>A silo not yet started: region A on 127.0.0.1 (an OS-assigned port), the SQLite file at
    /// <paramref name="databasePath"/>, <paramref name="signingKey"/> and Warning logs, unless
    /// <paramref name="settings"/> say otherwise; <paramref name="configureServices"/> runs last.</summary>
    public static WebApplication Build(
        string signingKey,
        string databasePath,
        IDictionary<string, string?>? settings = null,
        Action<IServiceCollection>? configureServices = null)
    {
        var all = new Dictionary<string, string?>
        {
            ["Region"] = "A",
            ["Urls"] = "http://127.0.0.1:0",
            ["Store"] = "sqlite:" + databasePath,
            ["Context:SigningKey"] = signingKey,
            ["Logging:LogLevel:Default"] = "Warning",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            all[key] = value;
        }

        return SiloApplication.Build([], c => c.AddInMemoryCollection(all), configureServices);
    }

    /// <summary>Starts <paramref name="app"/> (disposing it if it fails to start, within 60 s) and returns the address
    /// Kestrel listens on.</summary>
    public static async Task<Uri> StartListeningAsync(WebApplication app)
    {
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

        return new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single());
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
            // A file still held by a closing process: the temp directory is left behind, nothing else.
        }
    }
}
