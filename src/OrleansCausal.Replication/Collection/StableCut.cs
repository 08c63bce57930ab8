namespace OrleansCausal.Replication.Collection;

/// <summary>
/// The stable cut over the current member regions (this region and its configured peers), in feed sequences: per
/// origin replica (every member's current store incarnation), the lowest position any member has applied that
/// origin's feed through. Everything an origin's feed holds at or below the cut has been durably applied everywhere.
/// </summary>
public static class StableCut
{
    public static IReadOnlyDictionary<string, long> Compute(IReadOnlyList<MemberReport> members) =>
        members.ToDictionary(
            origin => origin.Replica,
            origin => members.Min(member => member.AppliedOf(origin.Replica)),
            StringComparer.Ordinal);

    /// <summary>Why <paramref name="heads"/> is not yet below the cut (which member lacks which origin's feed), or null
    /// when every member has applied every origin's feed through its head.</summary>
    public static string? HeldBackBy(IReadOnlyList<MemberReport> members, IReadOnlyDictionary<string, long> heads)
    {
        foreach (var (origin, head) in heads)
        {
            foreach (var member in members)
            {
                var applied = member.AppliedOf(origin);
                if (applied < head)
                {
                    return $"region {member.Region} has applied {origin} only through {applied} of {head}";
                }
            }
        }

        return null;
    }
}
