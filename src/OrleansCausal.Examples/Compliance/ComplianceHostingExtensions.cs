using Microsoft.Extensions.DependencyInjection;
using OrleansCausal.Runtime.Namespaces;
using OrleansCausal.Runtime.Options;

namespace OrleansCausal.Examples.Compliance;

public static class ComplianceHostingExtensions
{
    /// <summary>Registers the <c>compliance</c> namespace with its priority resolver (unless configured otherwise);
    /// the grain itself is found by Orleans.</summary>
    public static IServiceCollection AddComplianceStatusExample(this IServiceCollection services)
    {
        services.PostConfigure<OrleansCausalOptions>(o =>
        {
            if (!o.Namespaces.ContainsKey(ComplianceStatusGrain.Namespace))
            {
                o.Namespaces[ComplianceStatusGrain.Namespace] = new NamespaceOptions { Resolver = ComplianceStatusGrain.Resolver };
            }
        });
        return services;
    }
}
