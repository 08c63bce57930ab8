using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using OrleansCausal.Core;
using OrleansCausal.Core.Explain;
using OrleansCausal.Gateway.Auth;
using OrleansCausal.Gateway.Contracts;
using OrleansCausal.Gateway.Hosting;
using OrleansCausal.Runtime.Records;
using OrleansCausal.Storage;

namespace OrleansCausal.Gateway.Endpoints;

/// <summary>
/// <c>GET /v1/explain/{namespace}/{key}</c>: reads the record through its grain, like <c>GET /v1/kv</c>, and explains it
/// (<see cref="RecordExplanation"/>). An optional <c>Causal-Context</c> header is both the least the read must reflect
/// and the context of the hypothetical write whose effect is reported; without it that write carries the record's own.
/// </summary>
public static class ExplainEndpoints
{
    public static IEndpointRouteBuilder MapExplain(this IEndpointRouteBuilder app)
    {
        app.MapGet("/v1/explain/{namespace}/{**key}", ExplainAsync)
            .WithTags("Explorer")
            .RequireAuthorization(ApiKeyAuthentication.Policy)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .WithName("ExplainRecord")
            .WithSummary("Explains a record: its clock, every bin and its context, why siblings are concurrent, what a write would supersede, and the resolver's choice.")
            .AddEndpointFilter(RecordProblems.Translate)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound);
        return app;
    }

    private static async Task<Ok<ExplainResponse>> ExplainAsync(
        [FromRoute(Name = "namespace")] string ns, string key, HttpContext http, RecordService records, ContextTokens tokens, IRecordStore store,
        CancellationToken cancellationToken)
    {
        var recordKey = new RecordKey(ns, key);
        records.Resolve(recordKey);
        var context = ReadContext(http, tokens, recordKey);
        var view = await records.GetAsync(recordKey, context, cancellationToken);
        var explanation = RecordExplanation.Explain(view.Record, view.Namespace.Resolver, store.Replica, context, view.Namespace.MaxSiblings);
        string? token = null;
        if (!view.Context.IsEmpty)
        {
            token = tokens.Codec.Encode(view.Context, recordKey.Namespace, recordKey.Key);
            http.Response.Headers[KvEndpoints.ContextHeader] = token;
        }

        return TypedResults.Ok(ExplainResponse.From(view, explanation, token));
    }

    private static VersionVector? ReadContext(HttpContext http, ContextTokens tokens, RecordKey key)
    {
        var values = http.Request.Headers[KvEndpoints.ContextHeader];
        if (values.Count == 0)
        {
            return null;
        }

        if (values.Count > 1)
        {
            throw new RecordRequestException(RecordError.InvalidContext, $"Send one {KvEndpoints.ContextHeader} header, not {values.Count}.");
        }

        if (!tokens.Codec.TryDecode(values[0]?.Trim(), key.Namespace, key.Key, out var context, out var error, out var message))
        {
            throw new RecordRequestException(RecordError.InvalidContext, $"The {KvEndpoints.ContextHeader} header was refused ({error}): {message}");
        }

        return context;
    }
}
