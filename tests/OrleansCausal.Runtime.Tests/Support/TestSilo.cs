using System.Net.Http.Headers;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using OrleansCausal.Storage;
using OrleansCausal.Tests.Shared;

namespace OrleansCausal.Runtime.Tests.Support;

/// <summary>A real silo (SiloApplication + Kestrel on 127.0.0.1, OS-assigned port) and an HttpClient to it.</summary>
public sealed class TestSilo : IAsyncDisposable
{
    public const string SigningKey = "runtime-tests-signing-key-0123456789abcdef";

    private TestSilo(WebApplication app, Uri address)
    {
        App = app;
        Address = address;
        Client = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(30) };
    }

    public WebApplication App { get; }

    public Uri Address { get; }

    public HttpClient Client { get; }

    public IServiceProvider Services => App.Services;

    /// <summary>Region A, a fresh SQLite file unless <paramref name="settings"/> says otherwise, a fixed signing key.</summary>
    public static async Task<TestSilo> StartAsync(IDictionary<string, string?>? settings = null) =>
        await StartAsync(settings, configureServices: null);

    /// <summary>A silo whose store (the configured one, opened and closed by the silo as usual) is wrapped in a
    /// <see cref="ProbeStore"/>, returned with it.</summary>
    public static async Task<(TestSilo Silo, ProbeStore Probe)> StartProbedAsync(IDictionary<string, string?>? settings = null)
    {
        ProbeStore? probe = null;
        var silo = await StartAsync(settings, services =>
        {
            var configured = services.Single(d => d.ServiceType == typeof(IRecordStore));
            var create = configured.ImplementationFactory!;
            services.Remove(configured);
            services.AddSingleton<IRecordStore>(sp => probe = new ProbeStore((IRecordStore)create(sp), ownsInner: true));
        });
        return (silo, probe ?? (ProbeStore)silo.Services.GetRequiredService<IRecordStore>());
    }

    /// <summary>Like <see cref="StartAsync(IDictionary{string, string?})"/>, with <paramref name="configureServices"/>
    /// applied to the silo's services last.</summary>
    public static async Task<TestSilo> StartAsync(IDictionary<string, string?>? settings, Action<IServiceCollection>? configureServices)
    {
        var app = Build(settings, configureServices);
        return new TestSilo(app, await LoopbackSilo.StartListeningAsync(app));
    }

    public static WebApplication Build(IDictionary<string, string?>? settings = null, Action<IServiceCollection>? configureServices = null) =>
        LoopbackSilo.Build(SigningKey, TempFiles.NewDatabasePath(), settings, configureServices);

    public HttpClient NewClient(string? bearer = null)
    {
        var client = new HttpClient { BaseAddress = Address, Timeout = TimeSpan.FromSeconds(30) };
        if (bearer is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        }

        return client;
    }

    public async Task StopAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await App.StopAsync(timeout.Token);
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await App.DisposeAsync();
    }
}
