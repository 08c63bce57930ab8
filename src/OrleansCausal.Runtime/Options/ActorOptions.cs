namespace OrleansCausal.Runtime.Options;

/// <summary>Record grain settings (<c>Actors:*</c>).</summary>
public sealed class ActorOptions
{
    /// <summary>A record grain with no call for this long is deactivated (its cache dropped): Orleans' collection age.</summary>
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>A cached record older than this is re-read from the store even without a change notice: it bounds how
    /// stale a read without a context can be when a notice was lost (a dropped LISTEN connection, two silos on one
    /// SQLite file, a brief second activation of the grain during a membership change).</summary>
    public TimeSpan MaxCacheAge { get; set; } = TimeSpan.FromSeconds(5);
}
