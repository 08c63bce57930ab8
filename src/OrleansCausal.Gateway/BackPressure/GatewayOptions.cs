using Microsoft.Extensions.Configuration;

namespace OrleansCausal.Gateway.BackPressure;

/// <summary>The gateway's back-pressure settings (<c>Gateway:*</c>).</summary>
public sealed class GatewayOptions
{
    public const string Section = "Gateway";

    /// <summary>Writes (PUT and DELETE) this silo's gateway lets wait for their record grain at once; past it a write
    /// is answered 503 with <c>Retry-After</c> at once instead of queueing.</summary>
    public int MaxPendingWrites { get; set; } = 1000;

    /// <summary>How long a PUT's body may take to arrive (a client that declares more than it sends, a slow
    /// sender); past it the write is answered 408 and nothing is written.</summary>
    public TimeSpan BodyReadTimeout { get; set; } = TimeSpan.FromSeconds(10);

    public RateLimitOptions RateLimit { get; set; } = new();

    /// <summary>Reads <c>Gateway:*</c> and checks it; a refusal names the setting to fix.</summary>
    public static GatewayOptions Read(IConfiguration configuration)
    {
        var options = new GatewayOptions();
        configuration.GetSection(Section).Bind(options);
        if (options.MaxPendingWrites < 1)
        {
            throw new InvalidOperationException($"{Section}:{nameof(MaxPendingWrites)} must be at least 1 (it is {options.MaxPendingWrites}).");
        }

        if (options.BodyReadTimeout <= TimeSpan.Zero)
        {
            throw new InvalidOperationException($"{Section}:{nameof(BodyReadTimeout)} must be positive (it is {options.BodyReadTimeout}).");
        }

        if (options.RateLimit.PermitsPerSecond < 0)
        {
            throw new InvalidOperationException($"{Section}:{nameof(RateLimit)}:{nameof(RateLimitOptions.PermitsPerSecond)} must be 0 (off) or more (it is {options.RateLimit.PermitsPerSecond}).");
        }

        if (options.RateLimit.Burst < 0)
        {
            throw new InvalidOperationException($"{Section}:{nameof(RateLimit)}:{nameof(RateLimitOptions.Burst)} must be 0 (= PermitsPerSecond) or more (it is {options.RateLimit.Burst}).");
        }

        return options;
    }
}

/// <summary>Per-API-key request rate limit on <c>/v1</c> (a token bucket per key name), off by default.</summary>
public sealed class RateLimitOptions
{
    /// <summary>Requests per second per API key; 0 turns rate limiting off.</summary>
    public int PermitsPerSecond { get; set; }

    /// <summary>Requests a key may send at once after being idle; 0 means <see cref="PermitsPerSecond"/>.</summary>
    public int Burst { get; set; }

    public bool Enabled => PermitsPerSecond > 0;
}
