using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OrleansCausal.Runtime.Hosting;
using OrleansCausal.Storage;

namespace OrleansCausal.Runtime.Tests.Support;

/// <summary>The runtime's services without HTTP, over a given store (unit tests of the layers above a provider).</summary>
public static class RuntimeHost
{
    public static ServiceProvider Create(IRecordStore store, IDictionary<string, string?>? settings = null, TimeProvider? time = null)
    {
        var all = new Dictionary<string, string?> { ["Region"] = "A" };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            all[key] = value;
        }

        var configuration = new ConfigurationBuilder().AddInMemoryCollection(all).Build();
        var services = new ServiceCollection().AddLogging();
        services.AddSingleton(store);
        if (time is not null)
        {
            services.AddSingleton(time);
        }

        services.AddOrleansCausal(configuration);
        services.AddComplianceStatusService();
        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true });
    }
}
