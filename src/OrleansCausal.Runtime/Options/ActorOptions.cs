namespace OrleansCausal.Runtime.Options;

/// <summary>Record actor lifecycle settings (<c>Actors:*</c>).</summary>
public sealed class ActorOptions
{
    /// <summary>An actor with no request for this long is deactivated (its cache dropped).</summary>
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>At most this many actors are active; beyond it the least recently used idle ones are deactivated.</summary>
    public int MaxActive { get; set; } = 100_000;

    /// <summary>A cached record older than this is re-read from the store even without a change notice: it bounds how
    /// stale a read without a context can be when a notice was lost (a dropped LISTEN connection, two silos on one
    /// SQLite file).</summary>
    public TimeSpan MaxCacheAge { get; set; } = TimeSpan.FromSeconds(5);
}
