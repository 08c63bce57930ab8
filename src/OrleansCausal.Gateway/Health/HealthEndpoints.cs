using System.Text.Json;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using OrleansCausal.Gateway.Auth;

namespace OrleansCausal.Gateway.Health;

/// <summary>
/// <c>/healthz</c> (liveness: the process serves HTTP; runs no check) and <c>/readyz</c> (readiness: the store
/// answers, this silo is an active cluster member, and how replication to each peer stands — a failing peer
/// degrades, it does not make the silo unready). Both are open; <c>/readyz</c> shows each check's detail only to an
/// authenticated caller (an API key, or anyone on a silo without keys).
/// </summary>
public static class HealthEndpoints
{
    private const string ReadyTag = "ready";

    public static IServiceCollection AddGatewayHealthChecks(this IServiceCollection services)
    {
        services.AddHealthChecks()
            .AddCheck<StoreHealthCheck>("store", tags: [ReadyTag])
            .AddCheck<MembershipHealthCheck>("orleans-membership", tags: [ReadyTag])
            .AddCheck<ReplicationHealthCheck>("replication-peers", tags: [ReadyTag]);
        return services;
    }

    public static IEndpointRouteBuilder MapHealth(this IEndpointRouteBuilder app)
    {
        app.MapHealthChecks("/healthz", new HealthCheckOptions { Predicate = _ => false });
        app.MapHealthChecks("/readyz", new HealthCheckOptions
        {
            Predicate = check => check.Tags.Contains(ReadyTag),
            ResponseWriter = WriteReadinessAsync,
        });
        return app;
    }

    private static async Task WriteReadinessAsync(HttpContext http, HealthReport report)
    {
        var caller = await http.AuthenticateAsync(ApiKeyAuthentication.Scheme);
        http.Response.Headers.CacheControl = "no-store";
        if (!caller.Succeeded)
        {
            http.Response.ContentType = "text/plain; charset=utf-8";
            await http.Response.WriteAsync(report.Status.ToString());
            return;
        }

        var body = new
        {
            status = report.Status.ToString(),
            durationMs = report.TotalDuration.TotalMilliseconds,
            checks = report.Entries.ToDictionary(e => e.Key, e => new
            {
                status = e.Value.Status.ToString(),
                description = e.Value.Description,
                durationMs = e.Value.Duration.TotalMilliseconds,
                data = e.Value.Data.Count == 0 ? null : e.Value.Data,
            }),
        };
        await http.Response.WriteAsJsonAsync(body, JsonSerializerOptions.Web);
    }
}
