using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using OrleansCausal.Gateway.Hosting;

namespace OrleansCausal.Gateway.Auth;

/// <summary>
/// Requires <c>Authorization: Bearer KEY</c> with one of <c>Auth:ApiKeys</c> on every <c>/v1</c> request when keys are
/// configured. Health endpoints and the OpenAPI document stay open. Keys are compared in fixed time.
/// </summary>
internal sealed class ApiKeyMiddleware(RequestDelegate next, SiloSettings settings)
{
    private readonly byte[][] _keys = settings.ApiKeys.Select(k => SHA256.HashData(Encoding.UTF8.GetBytes(k))).ToArray();

    public async Task InvokeAsync(HttpContext context)
    {
        // Replication requests between regions carry their own HMAC credentials (Replication:Secret), not API keys.
        var isReplicationPost = HttpMethods.IsPost(context.Request.Method) && context.Request.Path.StartsWithSegments("/v1/replication");
        if (_keys.Length == 0 || !context.Request.Path.StartsWithSegments("/v1") || isReplicationPost)
        {
            await next(context);
            return;
        }

        var header = context.Request.Headers.Authorization.ToString();
        const string scheme = "Bearer ";
        if (!header.StartsWith(scheme, StringComparison.OrdinalIgnoreCase))
        {
            await Problems.Write(context, StatusCodes.Status401Unauthorized, "Authentication required",
                "Send an API key as 'Authorization: Bearer KEY' (configured under Auth:ApiKeys).", bearerChallenge: true);
            return;
        }

        var presented = SHA256.HashData(Encoding.UTF8.GetBytes(header[scheme.Length..].Trim()));
        var match = false;
        foreach (var key in _keys)
        {
            match |= CryptographicOperations.FixedTimeEquals(key, presented);
        }

        if (!match)
        {
            await Problems.Write(context, StatusCodes.Status401Unauthorized, "Invalid API key",
                "The API key in the Authorization header is not one of this silo's keys.", bearerChallenge: true);
            return;
        }

        await next(context);
    }
}
