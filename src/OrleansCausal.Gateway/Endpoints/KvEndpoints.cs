using System.Buffers;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OrleansCausal.Core;
using OrleansCausal.Gateway.Auth;
using OrleansCausal.Gateway.BackPressure;
using OrleansCausal.Gateway.Contracts;
using OrleansCausal.Gateway.Diagnostics;
using OrleansCausal.Gateway.Hosting;
using OrleansCausal.Runtime.Records;
using OrleansCausal.Storage;

namespace OrleansCausal.Gateway.Endpoints;

/// <summary>
/// <c>GET/PUT/DELETE /v1/kv/{namespace}/{key}</c> (DESIGN.md §3). The PUT body is the JSON value itself. The causal
/// context travels in the <c>Causal-Context</c> header both ways; <c>If-Match: *</c> on PUT or DELETE supersedes
/// everything the region holds for the record now. Every refusal is a problem details response and writes nothing.
/// The group requires an API key (<see cref="ApiKeyAuthentication.Policy"/>), the optional per-key rate limit, and
/// bounds the writes in flight (<see cref="WriteAdmission"/>).
/// </summary>
public static class KvEndpoints
{
    public const string ContextHeader = "Causal-Context";

    /// <summary>The request header naming a write's operation (1-128 printable ASCII characters).</summary>
    public const string IdempotencyKeyHeader = "Idempotency-Key";

    /// <summary>The response header of a write that was not applied because the record already held its
    /// operation id: <c>Idempotency-Replayed: true</c>.</summary>
    public const string ReplayedHeader = "Idempotency-Replayed";

    public static IEndpointRouteBuilder MapKv(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/kv/{namespace}")
            .WithTags("Records")
            .RequireAuthorization(ApiKeyAuthentication.Policy)
            .RequirePerKeyRateLimit(app.ServiceProvider.GetRequiredService<GatewayOptions>())
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);

        // Filters, outermost first: the write log (writes only), refusals and store faults as problems, write admission.
        group.MapGet("/{**key}", GetAsync)
            .AddEndpointFilter(RecordProblems.Translate)
            .WithName("GetRecord")
            .WithSummary("Read a record")
            .WithDescription("The resolved value, every sibling and the causal context (also in the Causal-Context header). 404 when there is no live value; the context is still sent when one exists.");

        group.MapPut("/{**key}", PutAsync)
            .WithName("PutRecord")
            .WithSummary("Write a record")
            .WithDescription("Writes the JSON body (UTF-8, exactly one JSON value). Send the Causal-Context of the read the write is based on; without one the write is blind and adds a sibling. If-Match: * supersedes everything this region holds. An Idempotency-Key (1-128 printable ASCII characters) makes the write idempotent: when the record already holds that operation (here, or replicated from another region), nothing is written and the answer is the record as it stands, with the header Idempotency-Replayed: true.")
            .Accepts<JsonElement>("application/json")
            .AddEndpointFilterFactory(WriteLog.Create)
            .AddEndpointFilter(RecordProblems.Translate)
            .AddEndpointFilter(BackPressureExtensions.AdmitWrite)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status408RequestTimeout)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType);

        group.MapDelete("/{**key}", DeleteAsync)
            .WithName("DeleteRecord")
            .WithSummary("Delete a record")
            .WithDescription("Writes a tombstone superseding what the Causal-Context covers (everything with If-Match: *). An Idempotency-Key makes it idempotent, as for PUT (a replay answers 204 with Idempotency-Replayed: true).")
            .AddEndpointFilterFactory(WriteLog.Create)
            .AddEndpointFilter(RecordProblems.Translate)
            .AddEndpointFilter(BackPressureExtensions.AdmitWrite)
            .ProducesProblem(StatusCodes.Status404NotFound);

        return app;
    }

    private static async Task<Results<RecordResult, NotFoundProblem>> GetAsync(
        [FromRoute(Name = "namespace")] string ns, string key, HttpContext http, RecordService records, ContextTokens tokens, CancellationToken cancellationToken)
    {
        var recordKey = new RecordKey(ns, key);
        records.Resolve(recordKey);
        var context = ReadContext(http, tokens, recordKey);
        var view = await records.GetAsync(recordKey, context, cancellationToken);
        var token = SetContextHeader(http, tokens, view);
        if (!view.Found)
        {
            var extensions = new Dictionary<string, object?> { ["error"] = "NotFound" };
            if (token is not null)
            {
                extensions["context"] = token;
            }

            return new NotFoundProblem(Problems.Details(StatusCodes.Status404NotFound, "Not found", $"The record {recordKey} has no live value.", extensions));
        }

        return new RecordResult(view, token!);
    }

    private static async Task<Results<RecordResult, ProblemHttpResult>> PutAsync(
        [FromRoute(Name = "namespace")] string ns, string key, HttpContext http, RecordService records, ContextTokens tokens, GatewayOptions options, CancellationToken cancellationToken)
    {
        var (recordKey, context, overrideAll, operationId) = ReadWrite(ns, key, http, records, tokens);
        if (http.Request.ContentType is { Length: > 0 } contentType && !IsJson(contentType))
        {
            return Problems.Result(StatusCodes.Status415UnsupportedMediaType, "Unsupported media type",
                $"The body must be a JSON value (Content-Type: application/json), not '{contentType}'.",
                new Dictionary<string, object?> { ["error"] = "UnsupportedMediaType" });
        }

        using var bodyTimeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bodyTimeout.CancelAfter(options.BodyReadTimeout);
        ReadOnlyMemory<byte> body;
        try
        {
            body = await ReadBodyAsync(http.Request, records.Validator.Limits.MaxValueBytes, bodyTimeout.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return Problems.Result(StatusCodes.Status408RequestTimeout, "Body too slow",
                $"The body did not arrive within {options.BodyReadTimeout.TotalSeconds:0.###} s (Gateway:BodyReadTimeout); nothing was written.",
                new Dictionary<string, object?> { ["error"] = "BodyTimeout" });
        }

        var json = records.Validator.ValidateValue(body.Span);
        var view = await records.PutAsync(recordKey, json, context, overrideAll, cancellationToken, WriterOf(http), operationId);
        SetReplayedHeader(http, view);
        var token = SetContextHeader(http, tokens, view);
        return new RecordResult(view, token!);
    }

    private static async Task<NoContent> DeleteAsync(
        [FromRoute(Name = "namespace")] string ns, string key, HttpContext http, RecordService records, ContextTokens tokens, CancellationToken cancellationToken)
    {
        var (recordKey, context, overrideAll, operationId) = ReadWrite(ns, key, http, records, tokens);
        var view = await records.DeleteAsync(recordKey, context, overrideAll, cancellationToken, WriterOf(http), operationId);
        SetReplayedHeader(http, view);
        SetContextHeader(http, tokens, view);
        return TypedResults.NoContent();
    }

    /// <summary>Who writes: the authenticated API key's name, kept with the bin; null on a silo without keys (every
    /// caller is anonymous there, so there is no one to name).</summary>
    private static string? WriterOf(HttpContext http) =>
        http.User.Identity?.Name is { } name && name != ApiKeyAuthentication.AnonymousName ? name : null;

    /// <summary>What a PUT or DELETE names: the record (namespace and key checked), the context the write is based on
    /// (empty = blind write), whether it supersedes everything (<c>If-Match: *</c>) and its operation id
    /// (<c>Idempotency-Key</c>, null when none). Refuses bad input first.</summary>
    private static (RecordKey Key, VersionVector Context, bool OverrideAll, string? OperationId) ReadWrite(
        string ns, string key, HttpContext http, RecordService records, ContextTokens tokens)
    {
        var recordKey = new RecordKey(ns, key);
        records.Resolve(recordKey);
        var context = ReadContext(http, tokens, recordKey) ?? VersionVector.Empty;
        var overrideAll = ReadOverride(http);
        return (recordKey, context, overrideAll, ReadOperationId(http, records));
    }

    private static string? ReadOperationId(HttpContext http, RecordService records)
    {
        var values = http.Request.Headers[IdempotencyKeyHeader];
        if (values.Count == 0)
        {
            return null;
        }

        if (values.Count > 1)
        {
            throw new RecordRequestException(RecordError.InvalidOperationId, $"Send one {IdempotencyKeyHeader} header, not {values.Count}.");
        }

        var operationId = values[0] ?? string.Empty;
        records.Validator.ValidateOperationId(operationId);
        return operationId;
    }

    private static void SetReplayedHeader(HttpContext http, RecordView view)
    {
        if (view.Replayed)
        {
            http.Response.Headers[ReplayedHeader] = "true";
        }
    }

    private static VersionVector? ReadContext(HttpContext http, ContextTokens tokens, RecordKey key)
    {
        var values = http.Request.Headers[ContextHeader];
        if (values.Count == 0)
        {
            return null;
        }

        if (values.Count > 1)
        {
            throw new RecordRequestException(RecordError.InvalidContext, $"Send one {ContextHeader} header, not {values.Count}.");
        }

        if (!tokens.Codec.TryDecode(values[0]?.Trim(), key.Namespace, key.Key, out var context, out var error, out var message))
        {
            throw new RecordRequestException(RecordError.InvalidContext, $"The {ContextHeader} header was refused ({error}): {message}");
        }

        return context;
    }

    private static bool ReadOverride(HttpContext http)
    {
        var values = http.Request.Headers.IfMatch;
        if (values.Count == 0)
        {
            return false;
        }

        if (values.Count == 1 && values[0]?.Trim() == "*")
        {
            return true;
        }

        throw new RecordRequestException(RecordError.InvalidContext,
            $"If-Match supports only '*' (supersede everything this region holds for the record); carry causality in the {ContextHeader} header.");
    }

    private static string? SetContextHeader(HttpContext http, ContextTokens tokens, RecordView view)
    {
        if (view.Context.IsEmpty)
        {
            return null;
        }

        var token = tokens.Codec.Encode(view.Context, view.Key.Namespace, view.Key.Key);
        http.Response.Headers[ContextHeader] = token;
        return token;
    }

    private static bool IsJson(string contentType) =>
        MediaTypeHeaderValue.TryParse(contentType, out var media) &&
        media.MediaType is { } type &&
        (type.Equals("application/json", StringComparison.OrdinalIgnoreCase) || type.EndsWith("+json", StringComparison.OrdinalIgnoreCase));

    private static async Task<ReadOnlyMemory<byte>> ReadBodyAsync(HttpRequest request, int limit, CancellationToken cancellationToken)
    {
        if (request.ContentLength > limit)
        {
            throw new RecordRequestException(RecordError.ValueTooLarge, $"The value is {request.ContentLength} bytes; the limit (Limits:MaxValueBytes) is {limit}.");
        }

        var buffer = new MemoryStream(request.ContentLength is { } length ? (int)length : 256);
        var chunk = ArrayPool<byte>.Shared.Rent(8192); // pooled: a fresh 8 KB array per PUT was its largest allocation
        int read;
        try
        {
            while ((read = await request.Body.ReadAsync(chunk, cancellationToken)) > 0)
            {
                if (buffer.Length + read > limit)
                {
                    throw new RecordRequestException(RecordError.ValueTooLarge, $"The value is larger than the limit (Limits:MaxValueBytes) of {limit} bytes.");
                }

                buffer.Write(chunk, 0, read);
            }
        }
        catch (BadHttpRequestException e)
        {
            // Kestrel refused the body itself: it ended before its Content-Length, or arrived too slowly.
            throw new RecordRequestException(RecordError.InvalidJson, $"The body could not be read: {e.Message}");
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }

        return buffer.GetBuffer().AsMemory(0, (int)buffer.Length);
    }
}
