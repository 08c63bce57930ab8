namespace OrleansCausal.Core.Resolvers;

/// <summary>Last writer wins, for display: the sibling accepted latest, ties broken by the larger dot.</summary>
public sealed class LwwResolver : IValueResolver
{
    public static readonly LwwResolver Instance = new();

    public string Name => "lww";

    public Bin? Resolve(IReadOnlyList<Bin> siblings)
    {
        Bin? best = null;
        foreach (var bin in siblings)
        {
            if (best is null || IsLater(bin, best))
            {
                best = bin;
            }
        }

        return best;
    }

    public Bin? Resolve(IReadOnlyList<Bin> siblings, out string reason)
    {
        var chosen = Resolve(siblings);
        reason = ResolverReasons.Trivial(siblings, chosen) ?? ResolverReasons.Latest(chosen!, siblings, string.Empty);
        return chosen;
    }

    internal static bool IsLater(Bin candidate, Bin current)
    {
        var byTime = candidate.WrittenAt.CompareTo(current.WrittenAt);
        return byTime > 0 || (byTime == 0 && candidate.Dot.CompareTo(current.Dot) > 0);
    }
}
