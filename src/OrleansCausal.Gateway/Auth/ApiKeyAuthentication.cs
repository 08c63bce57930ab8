using System.Net;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace OrleansCausal.Gateway.Auth;

/// <summary>The API-key authentication scheme and the authorization policy the <c>/v1</c> route groups require.
/// Replication batches (<c>POST /v1/replication/*</c>) carry their own HMAC credentials and are not under this policy.</summary>
public static class ApiKeyAuthentication
{
    public const string Scheme = "ApiKey";

    public const string Policy = "ApiKey";

    /// <summary>The operator endpoints' policy (<c>/metrics</c>, <c>/dashboard</c>): a loopback caller, or a caller
    /// with one of the API keys. With no keys configured the silo listens on loopback only
    /// (<see cref="ListenAddressGuard"/>), so every caller it can see is local.</summary>
    public const string OperatorPolicy = "Operator";

    /// <summary>The principal's name when no keys are configured (a loopback-only silo).</summary>
    public const string AnonymousName = "anonymous";

    /// <summary>ASP.NET Core's switch that stops a lone registered scheme from becoming the default one.</summary>
    internal const string SuppressAutoDefaultSchemeSwitch = "Microsoft.AspNetCore.Authentication.SuppressAutoDefaultScheme";

    /// <summary>The scheme and the two policies. There is no default scheme: the policies name theirs, so a request is
    /// authenticated once, by the authorization of an endpoint that asks for it, and requests to the others (health,
    /// replication batches, unknown routes) are not authenticated at all. A default scheme would have the
    /// authentication middleware run the handler for every request, and the policy check once more.</summary>
    public static IServiceCollection AddApiKeyAuthentication(this IServiceCollection services)
    {
        AppContext.SetSwitch(SuppressAutoDefaultSchemeSwitch, true);
        services.AddAuthentication()
            .AddScheme<Microsoft.AspNetCore.Authentication.AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(Scheme, null);
        services.AddAuthorizationBuilder()
            .AddPolicy(Policy, policy => policy.AddAuthenticationSchemes(Scheme).RequireAuthenticatedUser())
            .AddPolicy(OperatorPolicy, policy => policy.AddAuthenticationSchemes(Scheme).RequireAssertion(IsLoopbackOrAuthenticated));
        return services;
    }

    private static bool IsLoopbackOrAuthenticated(AuthorizationHandlerContext context)
    {
        var remote = (context.Resource as HttpContext)?.Connection.RemoteIpAddress;
        return remote is null || IPAddress.IsLoopback(remote) || context.User.Identity?.IsAuthenticated == true;
    }

    /// <summary>Requires the API-key policy for the group's reads (<c>GET</c>) only: the writes of the replication
    /// endpoints authenticate with their own HMAC, while their status stays behind an API key as before.</summary>
    public static TBuilder RequireApiKeyForReads<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder
    {
        builder.Add(endpoint =>
        {
            if (endpoint.Metadata.OfType<IHttpMethodMetadata>().Any(m => m.HttpMethods.Contains(HttpMethods.Get)))
            {
                endpoint.Metadata.Add(new AuthorizeAttribute(Policy));
            }
        });
        return builder;
    }
}
