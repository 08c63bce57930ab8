namespace OrleansCausal.Replication.Collection;

/// <summary>
/// Garbage collection of the store (section <c>Storage</c>): how often it runs, how many acknowledged change-feed
/// entries it keeps beyond what every peer has acknowledged, and how many tombstone-only records one round may hold
/// as candidates. Validated at start (<see cref="StorageOptionsValidator"/>).
/// </summary>
public sealed class StorageOptions
{
    public const string SectionName = "Storage";

    /// <summary>Time between two rounds.</summary>
    public TimeSpan GcInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Change-feed entries kept below the lowest sequence every current peer has acknowledged (an operator's
    /// margin: a peer re-added with an old checkpoint within it catches up from the feed instead of a full resend).</summary>
    public long FeedRetention { get; set; } = 1000;

    /// <summary>Tombstone-only records one round takes as purge candidates (the rest wait for the next round).</summary>
    public int MaxPurgePerRound { get; set; } = 100_000;
}
