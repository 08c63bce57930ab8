using OpenTelemetry.Metrics;

namespace OrleansCausal.Gateway.Operations;

/// <summary>
/// Framework instruments the silo does not collect: each is updated on every request, grain message or pooled
/// buffer, and says nothing an operator cannot read from what is kept — request duration and active requests
/// (<c>http.server.*</c>, by route and status, so refused credentials show as 401/403), Kestrel's connections, Orleans'
/// grain-call latency, activations, directory, membership and failed, rejected or rerouted messages. The ASP.NET Core
/// ones took about 2 % of the CPU of a GET at saturation (perf, 64 connections). Dropped through OpenTelemetry views,
/// so the SDK does not subscribe to them at all.
/// </summary>
public static class DroppedInstruments
{
    public static readonly IReadOnlyList<string> Names =
    [
        // ASP.NET Core, per request: a routing match, an authentication and an authorization attempt.
        "aspnetcore.routing.match_attempts",
        "aspnetcore.authentication.authenticate.duration",
        "aspnetcore.authorization.attempts",
        // Kestrel's buffer pool, per buffer rented and returned.
        "aspnetcore.memory_pool.*",
        // Orleans, per message delivered (the failure counters — expired, rejected, rerouted, dropped — stay).
        "orleans-messaging-sent-local",
        "orleans-messaging-sent-header-size",
        "orleans-messaging-sent-messages-size",
        "orleans-messaging-received-header-size",
        "orleans-messaging-received-messages-size",
        "orleans-messaging-processing-ima-received",
        "orleans-messaging-processing-ima-enqueued",
        "orleans-messaging-processing-dispatcher-received",
        "orleans-messaging-processing-dispatcher-processed",
    ];

    public static MeterProviderBuilder DropFrameworkChatter(this MeterProviderBuilder metrics)
    {
        foreach (var name in Names)
        {
            metrics.AddView(name, MetricStreamConfiguration.Drop);
        }

        return metrics;
    }
}
