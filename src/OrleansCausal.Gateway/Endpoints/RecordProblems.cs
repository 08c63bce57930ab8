using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OrleansCausal.Gateway.Diagnostics;
using OrleansCausal.Runtime.Records;

namespace OrleansCausal.Gateway.Endpoints;

/// <summary>The endpoint filter of every record endpoint (<c>/v1/kv</c>, <c>/v1/explain</c>): refused record input
/// (<see cref="RecordRequestException"/>) and store or cluster failures become problem details with an <c>error</c>
/// code, the same everywhere.</summary>
internal static class RecordProblems
{
    public static async ValueTask<object?> Translate(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        try
        {
            return await next(context);
        }
        catch (RecordRequestException e)
        {
            var (status, title) = e.Error switch
            {
                RecordError.UnknownNamespace => (StatusCodes.Status404NotFound, "Unknown namespace"),
                RecordError.InvalidNamespace => (StatusCodes.Status400BadRequest, "Invalid namespace"),
                RecordError.InvalidKey => (StatusCodes.Status400BadRequest, "Invalid key"),
                RecordError.ValueTooLarge => (StatusCodes.Status413PayloadTooLarge, "Value too large"),
                RecordError.InvalidJson => (StatusCodes.Status400BadRequest, "Invalid JSON value"),
                RecordError.JsonTooDeep => (StatusCodes.Status400BadRequest, "JSON value too deep"),
                RecordError.InvalidContext => (StatusCodes.Status400BadRequest, "Invalid causal context"),
                RecordError.InvalidOperationId => (StatusCodes.Status400BadRequest, "Invalid Idempotency-Key"),
                _ => (StatusCodes.Status400BadRequest, "Bad request"),
            };
            return Problems.Result(status, title, e.Message, new Dictionary<string, object?> { ["error"] = e.Error.ToString() });
        }
        catch (Exception failure) when (StoreFault.Find(failure) is { } e)
        {
            var http = context.HttpContext;
            var logger = http.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(RecordProblems));
            GatewayLog.LogErrorStoreFailed(logger, e, http.Request.Method, http.Request.Path);
            return Problems.Result(StatusCodes.Status503ServiceUnavailable, "Store unavailable", e.Message,
                new Dictionary<string, object?> { ["error"] = "StoreUnavailable" });
        }
        catch (Exception failure) when (StoreFault.IsClusterTransient(failure))
        {
            // A silo of the region is gone and not yet declared dead: its grains move within the membership timeout.
            var http = context.HttpContext;
            http.Response.Headers.RetryAfter = "1";
            var logger = http.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(RecordProblems));
            GatewayLog.LogWarningClusterUnavailable(logger, http.Request.Method, http.Request.Path, failure.GetType().Name);
            return Problems.Result(StatusCodes.Status503ServiceUnavailable, "Region reconfiguring",
                "A silo of this region is unreachable and its records are moving to the others; retry shortly.",
                new Dictionary<string, object?> { ["error"] = "SiloUnavailable" });
        }
    }
}
