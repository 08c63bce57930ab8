using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace OrleansCausal.Replication.Tests.TestCluster;

/// <summary>
/// Runs ASP.NET Core's own generic web host (Kestrel, the request pipeline, <c>GenericWebHostService</c>) inside a host
/// made with <see cref="HostApplicationBuilder"/> — such as the silo host of an Orleans <c>InProcessTestCluster</c>,
/// which offers no web host of its own. ASP.NET Core configures a web host only through <see cref="IHostBuilder"/>;
/// this view of the application builder applies each of its callbacks at once, as <c>WebApplicationBuilder</c> does
/// with its own bootstrap builder. Call it after every other registration: the web server then starts last (once the
/// silo, the store and the replicator are up) and stops first.
/// </summary>
internal static class GenericWebHost
{
    public static IHostApplicationBuilder AddWebHost(this IHostApplicationBuilder builder, Action<IWebHostBuilder> configure)
    {
        new ImmediateHostBuilder(builder).ConfigureWebHost(configure);
        return builder;
    }

    private sealed class ImmediateHostBuilder(IHostApplicationBuilder builder) : IHostBuilder
    {
        private readonly HostBuilderContext _context = new(builder.Properties)
        {
            Configuration = builder.Configuration,
            HostingEnvironment = builder.Environment,
        };

        public IDictionary<object, object> Properties => builder.Properties;

        public IHostBuilder ConfigureHostConfiguration(Action<IConfigurationBuilder> configureDelegate)
        {
            configureDelegate(builder.Configuration);
            return this;
        }

        public IHostBuilder ConfigureAppConfiguration(Action<HostBuilderContext, IConfigurationBuilder> configureDelegate)
        {
            configureDelegate(_context, builder.Configuration);
            return this;
        }

        public IHostBuilder ConfigureServices(Action<HostBuilderContext, IServiceCollection> configureDelegate)
        {
            configureDelegate(_context, builder.Services);
            return this;
        }

        public IHostBuilder UseServiceProviderFactory<TContainerBuilder>(IServiceProviderFactory<TContainerBuilder> factory)
            where TContainerBuilder : notnull =>
            throw NotHere();

        public IHostBuilder UseServiceProviderFactory<TContainerBuilder>(Func<HostBuilderContext, IServiceProviderFactory<TContainerBuilder>> factory)
            where TContainerBuilder : notnull =>
            throw NotHere();

        public IHostBuilder ConfigureContainer<TContainerBuilder>(Action<HostBuilderContext, TContainerBuilder> configureDelegate) => throw NotHere();

        public IHost Build() => throw NotHere();

        private static NotSupportedException NotHere() =>
            new("The web host only adds services and configuration here; the application builder builds the host and its container.");
    }
}
