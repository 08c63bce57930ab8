using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Orleans.Runtime;
using OrleansCausal.Gateway.Auth;
using OrleansCausal.Gateway.Contracts;
using OrleansCausal.Gateway.Hosting;
using OrleansCausal.Runtime.Diagnostics;

namespace OrleansCausal.Gateway.Endpoints;

/// <summary><c>GET /v1/diagnostics/siblings</c>: this silo's keys with the most siblings per namespace, and prune counts.</summary>
public static class DiagnosticsEndpoints
{
    public static IEndpointRouteBuilder MapDiagnostics(this IEndpointRouteBuilder app)
    {
        app.MapGet("/v1/diagnostics/siblings", GetSiblings)
            .WithTags("Explorer")
            .RequireAuthorization(ApiKeyAuthentication.Policy)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .WithName("GetSiblingDiagnostics")
            .WithSummary("Per namespace, the keys with the most live siblings after their last write on this silo, writes seen and bins pruned by the sibling cap (this silo only, since it started).");
        return app;
    }

    private static Ok<SiblingDiagnosticsResponse> GetSiblings(SiblingDiagnostics siblings, SiloSettings settings, ILocalSiloDetails silo) =>
        TypedResults.Ok(new SiblingDiagnosticsResponse(settings.Region.Value, silo.SiloAddress.ToString(), SiblingDiagnostics.TopKeys, siblings.Snapshot()));
}
