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

    /// <summary>When the silo's memory use passes this percentage of what the machine (or container) allows, Orleans
    /// deactivates record grains — least recently used first — until use is <see cref="SheddingMargin"/> points under
    /// it; 0 turns it off. A grain is only a cache of its record (every write is durable before it is acknowledged),
    /// so shedding costs a later reload, never data; without it, a stream of new keys keeps one activation per key for
    /// <see cref="IdleTimeout"/> (about 5 KB each), however much memory that takes.</summary>
    public int ShedAtMemoryPercent { get; set; } = 85;

    /// <summary>Points under <see cref="ShedAtMemoryPercent"/> that shedding brings memory use down to.</summary>
    public const int SheddingMargin = 5;
}
