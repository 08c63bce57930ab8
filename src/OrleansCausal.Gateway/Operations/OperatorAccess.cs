using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using OrleansCausal.Gateway.Hosting;

namespace OrleansCausal.Gateway.Operations;

/// <summary>
/// Guards the operator endpoints (<c>/metrics</c>, <c>/dashboard</c>): open to loopback callers, and to others only
/// with <c>Authorization: Bearer KEY</c> for one of <c>Auth:ApiKeys</c> (compared in fixed time). With no keys
/// configured the silo listens on loopback only (<c>ListenAddressGuard</c>), so a non-loopback caller is refused.
/// Kept apart from the gateway's API-key handling on purpose: it depends only on <see cref="SiloSettings.ApiKeys"/>.
/// </summary>
public sealed class OperatorAccess(SiloSettings settings)
{
    private readonly byte[][] _keys = settings.ApiKeys.Select(static k => SHA256.HashData(Encoding.UTF8.GetBytes(k.Secret))).ToArray();

    public bool Allows(HttpContext context)
    {
        var remote = context.Connection.RemoteIpAddress;
        if (remote is null || IPAddress.IsLoopback(remote))
        {
            return true;
        }

        var header = context.Request.Headers.Authorization.ToString();
        const string scheme = "Bearer ";
        if (_keys.Length == 0 || !header.StartsWith(scheme, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        var presented = SHA256.HashData(Encoding.UTF8.GetBytes(header[scheme.Length..].Trim()));
        var match = false;
        foreach (var key in _keys)
        {
            match |= CryptographicOperations.FixedTimeEquals(key, presented);
        }

        return match;
    }

    public async Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        if (Allows(context))
        {
            await next(context);
            return;
        }

        context.Response.Headers.WWWAuthenticate = "Bearer";
        await Problems.Write(context, StatusCodes.Status401Unauthorized, "Authentication required",
            "Operator endpoints answer loopback callers, or others sending 'Authorization: Bearer KEY' with one of Auth:ApiKeys.",
            "Unauthenticated");
    }
}
