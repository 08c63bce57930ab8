using Orleans.Dashboard;
using Orleans.Hosting;

namespace OrleansCausal.Gateway.Operations;

public static class OperationsSiloBuilderExtensions
{
    /// <summary>Orleans' W3C activity propagation across grain calls (so grain spans continue the HTTP request's
    /// trace) and the Orleans dashboard's silo services (served by <see cref="OperationsEndpoints"/>).</summary>
    public static ISiloBuilder AddOrleansCausalOperations(this ISiloBuilder silo) => silo
        .AddActivityPropagation()
        .AddDashboard();
}
