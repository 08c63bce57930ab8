using Microsoft.Extensions.Configuration;
using Orleans.Dashboard;
using Orleans.Hosting;

namespace OrleansCausal.Gateway.Operations;

public static class OperationsSiloBuilderExtensions
{
    /// <summary>Turns the Orleans dashboard on (<c>Dashboard:Enabled</c>, default off): it intercepts every grain call to
    /// keep its statistics, which costs throughput on the request path.</summary>
    public const string DashboardSetting = "Dashboard:Enabled";

    /// <summary>Orleans' W3C activity propagation across grain calls when traces are on (so grain spans continue the
    /// HTTP request's trace), and the Orleans dashboard's silo services when <see cref="DashboardSetting"/> is true
    /// (served by <see cref="OperationsEndpoints"/>).</summary>
    public static ISiloBuilder AddOrleansCausalOperations(this ISiloBuilder silo, IConfiguration configuration)
    {
        if (TelemetrySetup.TracesEnabled(configuration))
        {
            silo.AddActivityPropagation();
        }

        if (configuration.GetValue(DashboardSetting, false))
        {
            silo.AddDashboard();
        }

        return silo;
    }
}
