using OrleansCausal.Core.Resolvers;

namespace OrleansCausal.Core.Explain;

/// <summary>
/// Why a record holds what it holds: its clock, every bin with the context it carried, for every pair of bins why
/// they are concurrent, what a write with a given context (by default the record's own, i.e. after a read) would
/// supersede or prune and keep, and the resolver's choice with its reason. A pure function of the record.
/// </summary>
public sealed record RecordExplanation(
    VersionVector Clock,
    IReadOnlyList<Bin> Bins,
    IReadOnlyList<SiblingPair> Pairs,
    int OmittedPairs,
    VersionVector WriteContext,
    Dot NextDot,
    IReadOnlyList<Dot> WouldSupersede,
    IReadOnlyList<Dot> WouldPrune,
    IReadOnlyList<Dot> WouldKeep,
    Bin? Chosen,
    string ChoiceReason)
{
    /// <summary>At most this many pairs are explained (a record at a sibling cap of 1024 would have half a million).</summary>
    public const int MaxPairs = 256;

    /// <summary>
    /// Explains <paramref name="record"/>. The hypothetical write is computed with <see cref="CausalRecord.Put"/>
    /// itself at <paramref name="writer"/> with <paramref name="writeContext"/> (the record's clock when
    /// <c>null</c>) and the namespace's sibling cap, so what it reports is exactly what such a write would do.
    /// </summary>
    public static RecordExplanation Explain(
        CausalRecord record, IValueResolver resolver, ReplicaId writer, VersionVector? writeContext = null, int maxSiblings = int.MaxValue)
    {
        ArgumentNullException.ThrowIfNull(record);
        ArgumentNullException.ThrowIfNull(resolver);
        var bins = record.Bins;
        var pairs = new List<SiblingPair>();
        var total = 0;
        for (var i = 0; i < bins.Count; i++)
        {
            for (var j = i + 1; j < bins.Count; j++)
            {
                if (++total <= MaxPairs)
                {
                    pairs.Add(new SiblingPair(bins[i].Dot, bins[j].Dot, Gap(bins[i], bins[j]), Gap(bins[j], bins[i])));
                }
            }
        }

        var context = writeContext ?? record.Clock;
        var hypothetical = record.Put(writer, "null", context, DateTimeOffset.UnixEpoch, maxSiblings);
        var supersede = new List<Dot>();
        var prune = new List<Dot>();
        var keep = new List<Dot>();
        foreach (var bin in bins)
        {
            if (context.Covers(bin.Dot))
            {
                supersede.Add(bin.Dot);
            }
            else if (hypothetical.Written.Context.Covers(bin.Dot))
            {
                prune.Add(bin.Dot);
            }
            else
            {
                keep.Add(bin.Dot);
            }
        }

        var chosen = resolver.Resolve(record.DistinctSiblings, out var reason);
        return new RecordExplanation(
            record.Clock, bins, pairs, total - pairs.Count, context, hypothetical.Written.Dot, supersede, prune, keep, chosen, reason);
    }

    /// <summary>The entry of <paramref name="holder"/>'s context that falls short of <paramref name="other"/>'s dot,
    /// or <c>null</c> when it covers it.</summary>
    private static ContextGap? Gap(Bin holder, Bin other)
    {
        var seen = holder.Context.Get(other.Dot.Replica);
        return seen >= other.Dot.Counter ? null : new ContextGap(holder.Dot, other.Dot, seen);
    }
}
