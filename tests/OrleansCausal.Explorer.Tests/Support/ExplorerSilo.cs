using System.Net.Http.Headers;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OrleansCausal.Gateway;

namespace OrleansCausal.Explorer.Tests.Support;

/// <summary>A real silo in process (SiloApplication + Kestrel on 127.0.0.1, OS-assigned port, a fresh SQLite file in a
/// temp directory removed on dispose) and an HttpClient to it.</summary>
public sealed class ExplorerSilo : IAsyncDisposable
{
    public const string SigningKey = "explorer-tests-signing-key-0123456789abcdef";

    private readonly string _directory;

    private ExplorerSilo(WebApplication app, Uri address, string directory, string? apiKey)
    {
        App = app;
        Address = address;
        _directory = directory;
        Client = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(30) };
        if (apiKey is not null)
        {
            Client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
        }
    }

    public WebApplication App { get; }

    public Uri Address { get; }

    public HttpClient Client { get; }

    public static async Task<ExplorerSilo> StartAsync(string? apiKey = null)
    {
        var directory = Path.Combine(Path.GetTempPath(), $"oc-explorer-tests-{Guid.NewGuid():N}");
        var settings = new Dictionary<string, string?>
        {
            ["Region"] = "A",
            ["Urls"] = "http://127.0.0.1:0",
            ["Store"] = "sqlite:" + Path.Combine(directory, "region.db"),
            ["Context:SigningKey"] = SigningKey,
            ["Logging:LogLevel:Default"] = "Warning",
        };
        if (apiKey is not null)
        {
            settings["Auth:ApiKeys:explorer-tests"] = apiKey;
        }

        var app = SiloApplication.Build([], c => c.AddInMemoryCollection(settings));
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
        return new ExplorerSilo(app, new Uri(address), directory, apiKey);
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await App.DisposeAsync();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
