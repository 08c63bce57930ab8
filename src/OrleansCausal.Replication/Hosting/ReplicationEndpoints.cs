using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;
using OrleansCausal.Replication.Inbound;
using OrleansCausal.Replication.Outbound;
using OrleansCausal.Replication.Wire;
using OrleansCausal.Runtime.Replication;

namespace OrleansCausal.Replication.Hosting;

/// <summary>
/// Maps <c>/v1/replication/*</c>: the receiving side (<see cref="InboundEndpoints"/>), <c>POST
/// /v1/replication/peers/{region}/resend</c> (admin: resend everything to a peer now; signed like a batch, empty body)
/// and <c>GET /v1/replication/status</c>.
/// </summary>
public static class ReplicationEndpoints
{
    public static IEndpointRouteBuilder Map(IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/replication").WithTags("Replication");
        group.MapPost("/batches", InboundEndpoints.HandleBatchAsync).ExcludeFromDescription();
        group.MapPost("/resend", InboundEndpoints.HandleResendAsync).ExcludeFromDescription();
        group.MapPost("/peers/{region}/resend", HandleAdminResendAsync).ExcludeFromDescription();
        group.MapGet("/status", async (IReplicationStatus status, CancellationToken ct) => TypedResults.Ok(await status.GetPeersAsync(ct)))
            .WithName("GetReplicationStatus").WithSummary("Read replication to each peer region").ProducesProblem(StatusCodes.Status401Unauthorized);
        return app;
    }

    private static async Task<IResult> HandleAdminResendAsync(string region, HttpContext context, InboundAuthenticator auth, ReplicationSettings settings,
        PeerShipperKeeper keeper, ILoggerFactory loggers)
    {
        var (_, refusal) = await InboundEndpoints.ReadAuthenticatedAsync(context, auth, settings, ReplicationPaths.AdminResend(region), loggers);
        if (refusal is not null)
        {
            return refusal;
        }

        var peer = keeper.Peers.FirstOrDefault(p => p.Region.Value == region);
        if (peer is null)
        {
            return Results.Problem(
                statusCode: StatusCodes.Status404NotFound,
                title: "Unknown peer",
                detail: $"This silo has no configured peer region '{region}'.");
        }

        var shipper = keeper.Shipper(peer.Region);
        await shipper.EnsureRunningAsync(PeerShipperKeeper.Endpoints(peer));
        if (!await shipper.RequestResendAsync())
        {
            return Results.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "Shipper not running",
                detail: $"The shipper to '{region}' is not running on the silo that hosts it; try again.");
        }

        return Results.Accepted(value: new { region, resend = "scheduled" });
    }
}
