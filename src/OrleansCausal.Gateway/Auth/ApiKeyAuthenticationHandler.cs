using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrleansCausal.Gateway.Diagnostics;
using OrleansCausal.Gateway.Hosting;

namespace OrleansCausal.Gateway.Auth;

/// <summary>
/// <c>Authorization: Bearer KEY</c> against the configured <c>Auth:ApiKeys</c>, compared in fixed time (hashes of
/// equal length). Success yields a principal whose <see cref="ClaimsIdentity.Name"/> is the key's name. With no keys
/// configured (a loopback-only silo, see <see cref="ListenAddressGuard"/>) every request is the principal
/// <see cref="ApiKeyAuthentication.AnonymousName"/>. A refusal is a 401 problem with <c>WWW-Authenticate: Bearer</c>.
/// </summary>
internal sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory loggers,
    UrlEncoder encoder,
    SiloSettings settings) : AuthenticationHandler<AuthenticationSchemeOptions>(options, loggers, encoder)
{
    private const string BearerPrefix = "Bearer ";

    private readonly (string Name, byte[] Hash)[] _keys =
        settings.ApiKeys.Select(k => (k.Name, SHA256.HashData(Encoding.UTF8.GetBytes(k.Secret)))).ToArray();

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (_keys.Length == 0)
        {
            return Task.FromResult(Success(ApiKeyAuthentication.AnonymousName));
        }

        var header = Request.Headers.Authorization;
        if (header.Count != 1 || header[0] is not { } value || !value.StartsWith(BearerPrefix, StringComparison.OrdinalIgnoreCase))
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        var presented = SHA256.HashData(Encoding.UTF8.GetBytes(value[BearerPrefix.Length..].Trim()));
        string? name = null;
        foreach (var key in _keys)
        {
            // Every key is compared, so the time taken does not tell which one (if any) matched.
            if (CryptographicOperations.FixedTimeEquals(key.Hash, presented))
            {
                name = key.Name;
            }
        }

        return Task.FromResult(name is null
            ? AuthenticateResult.Fail("The API key in the Authorization header is not one of this silo's keys.")
            : Success(name));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var result = await HandleAuthenticateOnceSafeAsync();
        var invalid = result.Failure is not null;
        GatewayLog.LogWarningRequestUnauthenticated(Logger, Request.Method, Request.Path, Context.Connection.RemoteIpAddress?.ToString(),
            invalid ? "unknown key" : "no key");
        Response.Headers.WWWAuthenticate = "Bearer";
        await Problems.Write(Context, StatusCodes.Status401Unauthorized,
            invalid ? "Invalid API key" : "Authentication required",
            invalid
                ? "The API key in the Authorization header is not one of this silo's keys."
                : "Send an API key as 'Authorization: Bearer KEY' (configured under Auth:ApiKeys).",
            "Unauthenticated");
    }

    private AuthenticateResult Success(string name)
    {
        var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, name)], Scheme.Name);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), Scheme.Name));
    }
}
