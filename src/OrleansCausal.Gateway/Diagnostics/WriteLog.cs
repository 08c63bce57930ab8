using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace OrleansCausal.Gateway.Diagnostics;

/// <summary>
/// Logs every write (PUT, DELETE) with the name of the API key that sent it — the authenticated principal's name,
/// never the key — and its outcome: accepted at Debug (per-request logs are off by default, like ASP.NET Core's), refused (any 4xx/5xx answer) at Warning. Category
/// <c>OrleansCausal.Gateway.Writes</c>.
/// </summary>
internal static partial class WriteLog
{
    public const string Category = "OrleansCausal.Gateway.Writes";

    /// <summary>The filter of a write endpoint, with a logger made once for it (<c>CreateLogger</c> takes the logger
    /// factory's lock, so not once per request). Added before <see cref="Endpoints.RecordProblems"/>' filter, so it
    /// sees refusals as the problem answers they become.</summary>
    public static EndpointFilterDelegate Create(EndpointFilterFactoryContext context, EndpointFilterDelegate next)
    {
        var logger = context.ApplicationServices.GetRequiredService<ILoggerFactory>().CreateLogger(Category);
        return invocation => LogAsync(invocation, next, logger);
    }

    private static async ValueTask<object?> LogAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next, ILogger logger)
    {
        var http = context.HttpContext;
        var caller = http.User.Identity?.Name ?? "unknown";
        try
        {
            var result = await next(context);
            var status = StatusOf(result) ?? http.Response.StatusCode;
            if (status < 400)
            {
                // Checked here: the path's string form would be built before the generated method checks the level.
                if (logger.IsEnabled(LogLevel.Debug))
                {
                    LogDebugWriteAccepted(logger, caller, http.Request.Method, http.Request.Path, status);
                }
            }
            else
            {
                LogWarningWriteRefused(logger, caller, http.Request.Method, http.Request.Path, status);
            }

            return result;
        }
        catch (Exception e) when (!http.RequestAborted.IsCancellationRequested)
        {
            LogWarningWriteFailed(logger, e, caller, http.Request.Method, http.Request.Path);
            throw;
        }
    }

    private static int? StatusOf(object? result)
    {
        while (result is INestedHttpResult nested)
        {
            result = nested.Result;
        }

        return (result as IStatusCodeHttpResult)?.StatusCode;
    }

    [LoggerMessage(EventId = 2101, Level = LogLevel.Debug, Message = "Write {Method} {Path} by API key {ApiKeyName} accepted ({Status})")]
    private static partial void LogDebugWriteAccepted(ILogger logger, string apiKeyName, string method, string path, int status);

    [LoggerMessage(EventId = 2102, Level = LogLevel.Warning, Message = "Write {Method} {Path} by API key {ApiKeyName} refused ({Status})")]
    private static partial void LogWarningWriteRefused(ILogger logger, string apiKeyName, string method, string path, int status);

    [LoggerMessage(EventId = 2103, Level = LogLevel.Warning, Message = "Write {Method} {Path} by API key {ApiKeyName} failed")]
    private static partial void LogWarningWriteFailed(ILogger logger, Exception exception, string apiKeyName, string method, string path);
}
