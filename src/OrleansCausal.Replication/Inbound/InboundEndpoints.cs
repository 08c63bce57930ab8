using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;
using OrleansCausal.Replication.Hosting;
using OrleansCausal.Replication.Wire;

namespace OrleansCausal.Replication.Inbound;

/// <summary>
/// The receiving side's HTTP handlers: <c>POST /v1/replication/batches</c> (a feed batch, gap-checked) and
/// <c>POST /v1/replication/resend</c> (a chunk of a full resend, no sequences); mapped by
/// <see cref="ReplicationEndpoints"/>. Order of checks: credentials (401), then format (400), then gap (409), then
/// forged own dots (422); a refused request applies nothing. A batch is acknowledged (200) only once its merge and
/// the source's new position are durable.
/// </summary>
public static class InboundEndpoints
{
    public static async Task<IResult> HandleBatchAsync(HttpContext context, InboundAuthenticator auth, InboundBatchApplier applier, ReplicationSettings settings, ILoggerFactory loggers)
    {
        var (body, refusal) = await ReadAuthenticatedAsync(context, auth, settings, ReplicationPaths.Batches, loggers);
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
            context.Response.Headers[ReplicationPaths.ExpectedAfterHeader] = gap.ExpectedAfter.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        if (result is InboundResult.Applied applied && batch.Bins.Count == 0)
        {
            // A heartbeat or a garbage-collection probe: say what this region has applied (the stable cut's input).
            return Results.Ok(await applier.AcknowledgeWithReportAsync(applied, context.RequestAborted));
        }

        return ToHttp(result);
    }

    public static async Task<IResult> HandleResendAsync(HttpContext context, InboundAuthenticator auth, InboundBatchApplier applier, ReplicationSettings settings, ILoggerFactory loggers)
    {
        var (body, refusal) = await ReadAuthenticatedAsync(context, auth, settings, ReplicationPaths.Resend, loggers);
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

    /// <summary>Reads the body (bounded by <c>Replication:MaxBodyBytes</c>) and checks its credentials.</summary>
    public static async Task<(byte[] Body, IResult? Refusal)> ReadAuthenticatedAsync(
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
            Log.LogWarningUnauthenticated(loggers.CreateLogger(typeof(InboundEndpoints)), context.Connection.RemoteIpAddress?.ToString(), signedPath, denied);
            return (body, Results.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Replication request not authenticated", detail: denied));
        }

        return (body, null);
    }

    private static IResult Malformed(HttpContext context, BatchFormatException e, ILoggerFactory loggers)
    {
        Log.LogWarningMalformed(loggers.CreateLogger(typeof(InboundEndpoints)), context.Connection.RemoteIpAddress?.ToString(), e.Message);
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
