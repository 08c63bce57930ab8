using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OrleansCausal.Gateway.Auth;
using Orleans.Dashboard;

namespace OrleansCausal.Gateway.Operations;

/// <summary>
/// The operator endpoints: Prometheus text at <c>/metrics</c> and the Orleans dashboard at <c>/dashboard</c>, both
/// behind the <see cref="ApiKeyAuthentication.OperatorPolicy"/> (loopback, or an API key).
/// </summary>
public static class OperationsEndpoints
{
    public const string MetricsPath = "/metrics";
    public const string DashboardPath = "/dashboard";

    public static IEndpointRouteBuilder MapOrleansCausalOperations(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPrometheusScrapingEndpoint(MetricsPath).RequireAuthorization(ApiKeyAuthentication.OperatorPolicy);
        if (endpoints.ServiceProvider.GetRequiredService<IConfiguration>().GetValue(OperationsSiloBuilderExtensions.DashboardSetting, false))
        {
            endpoints.MapOrleansDashboard(routePrefix: DashboardPath).RequireAuthorization(ApiKeyAuthentication.OperatorPolicy);
        }

        return endpoints;
    }
}
