using Microsoft.AspNetCore.Builder;
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

    public static WebApplication MapOrleansCausalOperations(this WebApplication app)
    {
        var access = new OperatorAccess(app.Services.GetRequiredService<Hosting.SiloSettings>());
        app.UseWhen(
            static http => http.Request.Path.StartsWithSegments(MetricsPath) || http.Request.Path.StartsWithSegments(DashboardPath),
            branch => branch.Use(next => http => access.InvokeAsync(http, next)));
        app.MapPrometheusScrapingEndpoint(MetricsPath);
        if (app.Configuration.GetValue(OperationsSiloBuilderExtensions.DashboardSetting, false))
        {
            app.MapOrleansDashboard(routePrefix: DashboardPath);
        }

        return app;
    }
}
