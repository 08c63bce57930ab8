using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Dashboard;

namespace OrleansCausal.Gateway.Operations;

/// <summary>
/// The operator endpoints: Prometheus text at <c>/metrics</c> and the Orleans dashboard at <c>/dashboard</c>, both
/// behind <see cref="OperatorAccess"/> (loopback, or an API key).
/// </summary>
public static class OperationsEndpoints
{
    public const string MetricsPath = "/metrics";
    public const string DashboardPath = "/dashboard";

    /// <summary>The <see cref="OperatorAccess"/> check in front of the operator paths (before the endpoints run).</summary>
    public static IApplicationBuilder UseOperatorAccess(this IApplicationBuilder app)
    {
        var access = new OperatorAccess(app.ApplicationServices.GetRequiredService<Hosting.SiloSettings>());
        return app.UseWhen(
            static http => http.Request.Path.StartsWithSegments(MetricsPath) || http.Request.Path.StartsWithSegments(DashboardPath),
            branch => branch.Use(next => http => access.InvokeAsync(http, next)));
    }

    public static IEndpointRouteBuilder MapOrleansCausalOperations(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPrometheusScrapingEndpoint(MetricsPath);
        if (endpoints.ServiceProvider.GetRequiredService<IConfiguration>().GetValue(OperationsSiloBuilderExtensions.DashboardSetting, false))
        {
            endpoints.MapOrleansDashboard(routePrefix: DashboardPath);
        }

        return endpoints;
    }
}
