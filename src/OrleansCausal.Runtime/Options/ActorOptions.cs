namespace OrleansCausal.Runtime.Options;

/// <summary>Record actor lifecycle settings (<c>Actors:*</c>).</summary>
public sealed class ActorOptions
{
    /// <summary>An actor with no request for this long is deactivated (its cache dropped).</summary>
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>At most this many actors are active; beyond it the least recently used idle ones are deactivated.</summary>
    public int MaxActive { get; set; } = 100_000;
}
