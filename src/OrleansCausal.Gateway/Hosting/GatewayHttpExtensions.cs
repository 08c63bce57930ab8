using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OrleansCausal.Gateway.Auth;
using OrleansCausal.Gateway.BackPressure;
using OrleansCausal.Gateway.Health;
using OrleansCausal.Gateway.OpenApi;

namespace OrleansCausal.Gateway.Hosting;

/// <summary>The HTTP gateway's ASP.NET Core services and middleware: problem details for every error, API-key
/// authentication and its policy, back-pressure (write bound, optional per-key rate limit), health checks, OpenAPI.</summary>
public static class GatewayHttpExtensions
{
    /// <summary>Registers the gateway's HTTP services; <c>Gateway:*</c> is read and checked now.</summary>
    public static IServiceCollection AddGatewayHttp(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddRouting();
        services.AddProblemDetails();
        services.AddApiKeyAuthentication();
        services.AddGatewayBackPressure(GatewayOptions.Read(configuration));
        services.AddGatewayHealthChecks();
        services.AddGatewayOpenApi();
        return services;
    }

    /// <summary>The middleware, in order: errors as problem details, routing, authentication, authorization, and rate
    /// limiting when <c>Gateway:RateLimit</c> is on — it is the only limiter, so without it the middleware would look
    /// up every request's endpoint for nothing (the endpoints follow, see <see cref="SiloComposition.UseOrleansCausalSilo"/>).</summary>
    public static IApplicationBuilder UseGatewayHttp(this IApplicationBuilder app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseRouting();
        app.UseAuthentication();
        app.UseAuthorization();
        if (app.ApplicationServices.GetRequiredService<GatewayOptions>().RateLimit.Enabled)
        {
            app.UseRateLimiter();
        }

        return app;
    }
}
