using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OrleansCausal.Gateway.Auth;
using OrleansCausal.Gateway.Hosting;

namespace OrleansCausal.Gateway;

/// <summary>
/// The embeddable silo: an Orleans silo of one region's cluster (record grains, dotted-bins grain storage, store)
/// co-hosted with the HTTP gateway and the replicator in one <see cref="WebApplication"/> (<c>UseOrleans</c>).
/// Configuration, lowest precedence first: appsettings (next to the binary, see <see cref="SiloContentRoot"/>), <c>ASPNETCORE_*</c>, <c>OrleansCausal__*</c> environment
/// variables, the command line (<c>--Region eu-west</c>), then <paramref name="configure"/>. With nothing configured
/// it serves the single region <c>local</c> on http://127.0.0.1:5080 from <c>./data/local.db</c>.
/// </summary>
public static class SiloApplication
{
    /// <summary>Orleans' service id: the same for every region (each region is its own cluster, ClusterId = region).</summary>
    public const string ServiceId = "orleans-causal";

    public static WebApplication Build(string[] args, Action<IConfigurationBuilder>? configure = null) =>
        Build(args, configure, configureServices: null);

    /// <summary>As <see cref="Build(string[], Action{IConfigurationBuilder}?)"/>; <paramref name="configureServices"/>
    /// runs after every registration of the silo, just before the application is built (e.g. to decorate the
    /// <see cref="Storage.IRecordStore"/> or add hosted code).</summary>
    public static WebApplication Build(string[] args, Action<IConfigurationBuilder>? configure, Action<IServiceCollection>? configureServices)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = SiloContentRoot.Choose(args) });
        builder.Configuration.AddEnvironmentVariables("OrleansCausal__");
        builder.Configuration.AddCommandLine(args);
        configure?.Invoke(builder.Configuration);

        var settings = SiloSettingsReader.Read(builder.Configuration);
        ListenAddressGuard.Check(settings.Urls, settings.ApiKeys.Count);
        if (settings.RegionDefaulted)
        {
            builder.Configuration.AddInMemoryCollection([new("Region", settings.Region.Value)]);
        }

        builder.WebHost.UseUrls([.. settings.Urls]);
        var orleans = OrleansSettings.Read(builder.Configuration);
        builder.Services.AddSingleton(orleans);
        builder.AddOrleansCausalSilo(settings, silo => silo.UseRegionClustering(settings, orleans));
        configureServices?.Invoke(builder.Services);

        var app = builder.Build();
        app.UseOrleansCausalSilo();
        return app;
    }
}
