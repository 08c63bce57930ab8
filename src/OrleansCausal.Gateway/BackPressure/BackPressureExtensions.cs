using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using OrleansCausal.Gateway.Auth;

namespace OrleansCausal.Gateway.BackPressure;

/// <summary>Registers the write bound and the optional per-API-key rate limit, and applies them to endpoints.</summary>
public static class BackPressureExtensions
{
    public const string RateLimitPolicy = "per-api-key";

    public static IServiceCollection AddGatewayBackPressure(this IServiceCollection services, GatewayOptions options)
    {
        services.AddSingleton(options);
        services.AddSingleton<WriteAdmission>();
        services.AddRateLimiter(limiter =>
        {
            limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            limiter.AddPolicy(RateLimitPolicy, http => RateLimitPartition.GetTokenBucketLimiter(
                http.User.Identity?.Name ?? ApiKeyAuthentication.AnonymousName,
                _ => new TokenBucketRateLimiterOptions
                {
                    TokenLimit = options.RateLimit.Burst > 0 ? options.RateLimit.Burst : Math.Max(1, options.RateLimit.PermitsPerSecond),
                    TokensPerPeriod = Math.Max(1, options.RateLimit.PermitsPerSecond),
                    ReplenishmentPeriod = TimeSpan.FromSeconds(1),
                    QueueLimit = 0,
                    AutoReplenishment = true,
                }));
            limiter.OnRejected = async (rejected, _) =>
            {
                var retryAfter = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds)) : 1;
                rejected.HttpContext.Response.Headers.RetryAfter = retryAfter.ToString(CultureInfo.InvariantCulture);
                await Problems.Write(rejected.HttpContext, StatusCodes.Status429TooManyRequests, "Too many requests",
                    $"The API key '{rejected.HttpContext.User.Identity?.Name}' sent more than {options.RateLimit.PermitsPerSecond} requests per second (Gateway:RateLimit:PermitsPerSecond); retry after {retryAfter} s.",
                    "RateLimited");
            };
        });
        return services;
    }

    /// <summary>Applies the per-API-key rate limit to the builder's endpoints when it is configured (and documents 429).</summary>
    public static RouteGroupBuilder RequirePerKeyRateLimit(this RouteGroupBuilder builder, GatewayOptions options)
    {
        if (options.RateLimit.Enabled)
        {
            builder.RequireRateLimiting(RateLimitPolicy);
            builder.ProducesProblem(StatusCodes.Status429TooManyRequests);
        }

        return builder;
    }

    /// <summary>Admits a write past <see cref="WriteAdmission"/> or answers 503 with <c>Retry-After</c> at once.</summary>
    public static async ValueTask<object?> AdmitWrite(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var admission = context.HttpContext.RequestServices.GetRequiredService<WriteAdmission>();
        if (!admission.TryEnter())
        {
            context.HttpContext.Response.Headers.RetryAfter = "1";
            return Problems.Result(StatusCodes.Status503ServiceUnavailable, "Too many pending writes",
                $"This silo already has {admission.MaxPendingWrites} writes in flight (Gateway:MaxPendingWrites); retry shortly.",
                new Dictionary<string, object?> { ["error"] = "Overloaded" });
        }

        try
        {
            return await next(context);
        }
        finally
        {
            admission.Exit();
        }
    }
}
