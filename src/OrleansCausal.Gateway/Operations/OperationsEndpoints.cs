using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
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

    public static WebApplication MapOrleansCausalOperations(this WebApplication app)
    {
        app.MapPrometheusScrapingEndpoint(MetricsPath).RequireAuthorization(ApiKeyAuthentication.OperatorPolicy);
        if (app.Configuration.GetValue(OperationsSiloBuilderExtensions.DashboardSetting, false))
        {
            app.MapOrleansDashboard(routePrefix: DashboardPath).RequireAuthorization(ApiKeyAuthentication.OperatorPolicy);
        }

        return app;
    }
}
