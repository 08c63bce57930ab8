namespace OrleansCausal.Replication.Collection;

/// <summary>What one member region said about itself (or, for this region, what its store says): its store
/// incarnation, the last sequence of its own change feed, and how far it has applied each source replica's feed.</summary>
public sealed record MemberReport(string Region, string Replica, long Head, IReadOnlyDictionary<string, long> Applied)
{
    /// <summary>How far this member has applied <paramref name="origin"/>'s feed: its own feed counts as applied through its head.</summary>
    public long AppliedOf(string origin) =>
        string.Equals(origin, Replica, StringComparison.Ordinal) ? Head : Applied.GetValueOrDefault(origin);
}
