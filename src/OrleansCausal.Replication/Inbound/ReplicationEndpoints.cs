using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OrleansCausal.Core;
using OrleansCausal.Replication.Hosting;
using OrleansCausal.Replication.Outbound;
using OrleansCausal.Replication.Wire;
using OrleansCausal.Runtime.Replication;

namespace OrleansCausal.Replication.Inbound;

/// <summary>
/// The receiving side's HTTP endpoints:
/// <c>POST /v1/replication/batches</c> (a feed batch, gap-checked), <c>POST /v1/replication/resend</c> (a chunk of a
/// full resend, no sequences), <c>POST /v1/replication/peers/{region}/resend</c> (admin: resend everything to a
/// peer now; signed like a batch, empty body) and <c>GET /v1/replication/status</c>.
/// Order of checks: credentials (401), then format (400), then gap (409), then forged own dots (422); a refused
/// request applies nothing.
/// </summary>
public static class ReplicationEndpoints
{
    public const string BatchesPath = "/v1/replication/batches";
    public const string ResendPath = "/v1/replication/resend";
    public const string ExpectedAfterHeader = "Replication-Expected-After";

    public static string AdminResendPath(string region) => $"/v1/replication/peers/{region}/resend";

    public static IEndpointRouteBuilder Map(IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/replication").WithTags("Replication");
        group.MapPost("/batches", HandleBatchAsync).ExcludeFromDescription();
        group.MapPost("/resend", HandleResendAsync).ExcludeFromDescription();
        group.MapPost("/peers/{region}/resend", HandleAdminResendAsync).ExcludeFromDescription();
        group.MapGet("/status", async (IReplicationStatus status, CancellationToken ct) => Results.Ok(await status.GetPeersAsync(ct)));
        return app;
    }

    private static async Task<IResult> HandleBatchAsync(HttpContext context, InboundAuthenticator auth, InboundBatchApplier applier, ReplicationSettings settings, ILoggerFactory loggers)
    {
        var (body, refusal) = await ReadAuthenticatedAsync(context, auth, settings, BatchesPath, loggers);
        if (refusal is not null)
        {
            return refusal;
        }

        ReplicationBatch batch;
        try
        {
            batch = BatchCodec.DecodeBatch(body);
        }
        catch (BatchFormatException e)
        {
            return Malformed(context, e, loggers);
        }

        var result = await applier.ApplyAsync(batch, context.RequestAborted);
        if (result is InboundResult.Gap gap)
        {
            context.Response.Headers[ExpectedAfterHeader] = gap.ExpectedAfter.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        return ToHttp(result);
    }

    private static async Task<IResult> HandleResendAsync(HttpContext context, InboundAuthenticator auth, InboundBatchApplier applier, ReplicationSettings settings, ILoggerFactory loggers)
    {
        var (body, refusal) = await ReadAuthenticatedAsync(context, auth, settings, ResendPath, loggers);
        if (refusal is not null)
        {
            return refusal;
        }

        ResendBatch batch;
        try
        {
            batch = BatchCodec.DecodeResend(body);
        }
        catch (BatchFormatException e)
        {
            return Malformed(context, e, loggers);
        }

        return ToHttp(await applier.ApplyResendAsync(batch, context.RequestAborted));
    }

    private static async Task<IResult> HandleAdminResendAsync(string region, HttpContext context, InboundAuthenticator auth, ReplicationSettings settings, ILoggerFactory loggers)
    {
        var (_, refusal) = await ReadAuthenticatedAsync(context, auth, settings, AdminResendPath(region), loggers);
        if (refusal is not null)
        {
            return refusal;
        }

        var keeper = context.RequestServices.GetService<PeerShipperKeeper>();
        var configured = keeper?.Peers.FirstOrDefault(p => p.Region.Value == region);
        if (keeper is null || configured is null || !await RequestResendAsync(keeper, configured))
        {
            return Results.Problem(
                statusCode: StatusCodes.Status404NotFound,
                title: "Unknown peer",
                detail: $"This silo has no configured peer region '{region}'.");
        }

        return Results.Accepted(value: new { region, resend = "scheduled" });
    }

    private static async Task<bool> RequestResendAsync(PeerShipperKeeper keeper, PeerConfiguration peer)
    {
        var shipper = keeper.Shipper(peer.Region);
        await shipper.EnsureRunningAsync(PeerShipperKeeper.Endpoints(peer));
        return await shipper.RequestResendAsync();
    }

    private static async Task<(byte[] Body, IResult? Refusal)> ReadAuthenticatedAsync(
        HttpContext context, InboundAuthenticator auth, ReplicationSettings settings, string signedPath, ILoggerFactory loggers)
    {
        var limit = settings.Options.MaxBodyBytes;
        if (context.Request.ContentLength > limit)
        {
            return ([], Results.Problem(statusCode: StatusCodes.Status413PayloadTooLarge, title: "Batch too large",
                detail: $"The body is {context.Request.ContentLength} bytes; the limit is {limit} (Replication:MaxBodyBytes)."));
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await context.Request.Body.ReadAsync(chunk, context.RequestAborted)) > 0)
        {
            if (buffer.Length + read > limit)
            {
                return ([], Results.Problem(statusCode: StatusCodes.Status413PayloadTooLarge, title: "Batch too large",
                    detail: $"The body exceeds the limit of {limit} bytes (Replication:MaxBodyBytes)."));
            }

            buffer.Write(chunk, 0, read);
        }

        var body = buffer.ToArray();
        var denied = auth.Check(context.Request, signedPath, body);
        if (denied is not null)
        {
            Log.LogWarningUnauthenticated(loggers.CreateLogger(typeof(ReplicationEndpoints)), context.Connection.RemoteIpAddress?.ToString(), signedPath, denied);
            return (body, Results.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Replication request not authenticated", detail: denied));
        }

        return (body, null);
    }

    private static IResult Malformed(HttpContext context, BatchFormatException e, ILoggerFactory loggers)
    {
        Log.LogWarningMalformed(loggers.CreateLogger(typeof(ReplicationEndpoints)), context.Connection.RemoteIpAddress?.ToString(), e.Message);
        return Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Malformed replication batch", detail: e.Message);
    }

    private static IResult ToHttp(InboundResult result) => result switch
    {
        InboundResult.Applied applied => Results.Ok(new BatchAcknowledgement(applied.Added, applied.AppliedThrough)),
        InboundResult.Gap gap => Results.Problem(
            statusCode: StatusCodes.Status409Conflict,
            title: "Replication gap",
            detail: $"The batch continues from sequence {gap.After}, but this region has applied the source only through {gap.ExpectedAfter}; resend from there.",
            extensions: new Dictionary<string, object?> { ["expectedAfter"] = gap.ExpectedAfter }),
        InboundResult.Forged forged => Results.Problem(statusCode: StatusCodes.Status422UnprocessableEntity, title: "Forged dot", detail: forged.Message),
        InboundResult.Invalid invalid => Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Invalid replication batch", detail: invalid.Message),
        _ => throw new InvalidOperationException($"Unhandled inbound result {result}."),
    };
}
