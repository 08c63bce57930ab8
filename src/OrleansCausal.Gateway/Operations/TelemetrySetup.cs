using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using OrleansCausal.Replication;
using OrleansCausal.Runtime.Diagnostics;

namespace OrleansCausal.Gateway.Operations;

/// <summary>
/// OpenTelemetry for the silo. Metrics always: ASP.NET Core, HttpClient, the .NET runtime, Orleans' meters
/// (<c>Microsoft.Orleans*</c>) and ours (<c>OrleansCausal.Runtime</c>, <c>OrleansCausal.Replication</c>), less the
/// per-request and per-message instruments of <see cref="DroppedInstruments"/>, served as Prometheus text at
/// <c>/metrics</c>. Traces (ASP.NET Core → Orleans grain call → record grain → grain storage, and
/// replication batches) when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set or <c>Telemetry:Traces</c> is true. Everything
/// is exported over OTLP (the standard <c>OTEL_*</c> variables) only when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set.
/// </summary>
public static class TelemetrySetup
{
    public const string OtlpEndpointVariable = "OTEL_EXPORTER_OTLP_ENDPOINT";

    /// <summary>Orleans' grain-call spans (with <c>AddActivityPropagation</c> on the silo). Orleans puts calls to
    /// interfaces whose namespace starts with "Orleans" on its runtime source — which includes ours
    /// (<c>OrleansCausal.Runtime.Grains</c>) — and every other grain on the application source.</summary>
    public static readonly string[] OrleansGrainCallSources = ["Microsoft.Orleans.Runtime", "Microsoft.Orleans.Application"];

    public static IHostApplicationBuilder AddOrleansCausalTelemetry(this IHostApplicationBuilder builder)
    {
        var otlp = !string.IsNullOrWhiteSpace(builder.Configuration[OtlpEndpointVariable]);
        var traces = TracesEnabled(builder.Configuration);
        var region = builder.Configuration["Region"] ?? "local";

        var telemetry = builder.Services.AddOpenTelemetry()
            .ConfigureResource(r => r
                .AddService("orleans-causal", serviceInstanceId: Environment.MachineName + ":" + Environment.ProcessId)
                .AddAttributes([new("orleans_causal.region", region)]))
            .WithMetrics(metrics => metrics
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddRuntimeInstrumentation()
                .AddMeter("Microsoft.Orleans*")
                .AddMeter(RuntimeMetrics.MeterName, ReplicationMetrics.MeterName)
                .DropFrameworkChatter()
                .AddPrometheusExporter());

        if (traces)
        {
            telemetry.WithTracing(tracing => tracing
                .AddAspNetCoreInstrumentation(o => o.Filter = static http => !IsOperatorPath(http.Request.Path))
                .AddHttpClientInstrumentation()
                .AddSource(CausalTracing.SourceName)
                .AddSource(OrleansGrainCallSources));
        }

        if (otlp)
        {
            telemetry.UseOtlpExporter();
        }

        return builder;
    }

    /// <summary>Traces are on when they are exported (<c>OTEL_EXPORTER_OTLP_ENDPOINT</c>) or asked for (<c>Telemetry:Traces</c>).</summary>
    public static bool TracesEnabled(IConfiguration configuration) =>
        !string.IsNullOrWhiteSpace(configuration[OtlpEndpointVariable]) || configuration.GetValue("Telemetry:Traces", false);

    internal static bool IsOperatorPath(PathString path) =>
        path.StartsWithSegments(OperationsEndpoints.MetricsPath) ||
        path.StartsWithSegments(OperationsEndpoints.DashboardPath) ||
        path.StartsWithSegments("/healthz") ||
        path.StartsWithSegments("/readyz");
}
