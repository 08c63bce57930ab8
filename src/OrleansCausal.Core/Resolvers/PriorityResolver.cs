using System.Text.Json;

namespace OrleansCausal.Core.Resolvers;

/// <summary>
/// The talk's "monotonic" resolver: values are ranked by an ordered list, highest first, e.g.
/// <c>failed &gt; completed &gt; pending</c>. The ranked value is the JSON string itself, or the string in a
/// top-level JSON field (e.g. <c>status</c>). Values not in the list rank below every listed one; ties are
/// broken like <see cref="LwwResolver"/>. The outcome depends only on the set of siblings, never on arrival order.
/// </summary>
public sealed class PriorityResolver : IValueResolver
{
    private readonly Dictionary<string, int> _rankByValue;

    public PriorityResolver(IReadOnlyList<string> highestFirst, string? field = null)
    {
        if (highestFirst.Count == 0)
        {
            throw new ArgumentException("A priority resolver needs at least one value.", nameof(highestFirst));
        }

        _rankByValue = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < highestFirst.Count; i++)
        {
            if (!_rankByValue.TryAdd(highestFirst[i], highestFirst.Count - i))
            {
                throw new ArgumentException($"The value '{highestFirst[i]}' is listed twice.", nameof(highestFirst));
            }
        }

        Order = highestFirst;
        Field = field;
    }

    public string Name => "priority";

    public IReadOnlyList<string> Order { get; }

    public string? Field { get; }

    public Bin? Resolve(IReadOnlyList<Bin> siblings)
    {
        Bin? best = null;
        var bestRank = -1;
        foreach (var bin in siblings)
        {
            var rank = RankOf(bin);
            if (best is null || rank > bestRank || (rank == bestRank && LwwResolver.IsLater(bin, best)))
            {
                best = bin;
                bestRank = rank;
            }
        }

        return best;
    }

    public Bin? Resolve(IReadOnlyList<Bin> siblings, out string reason)
    {
        var chosen = Resolve(siblings);
        reason = ResolverReasons.Trivial(siblings, chosen) ?? Explain(chosen!, siblings);
        return chosen;
    }

    private string Explain(Bin chosen, IReadOnlyList<Bin> siblings)
    {
        var order = string.Join(" > ", Order);
        var what = Field is null ? "value" : $"'{Field}'";
        var rank = RankOf(chosen);
        if (rank == 0)
        {
            var latest = ResolverReasons.Latest(chosen, siblings, string.Empty);
            return $"No sibling has a {what} listed in {order}, so the latest accepted one wins: {latest}";
        }

        var ranked = ExtractRankedString(chosen.Value)!;
        var sameRank = siblings.Where(b => RankOf(b) == rank).ToArray();
        if (sameRank.Length == 1)
        {
            return $"{chosen.Dot} has the {what} '{ranked}', which ranks highest among the siblings in {order}.";
        }

        return $"{sameRank.Length} siblings have the {what} '{ranked}', the highest rank among them in {order}; " +
               ResolverReasons.Latest(chosen, sameRank, $" among those");
    }

    private int RankOf(Bin bin)
    {
        var ranked = ExtractRankedString(bin.Value);
        return ranked is not null && _rankByValue.TryGetValue(ranked, out var rank) ? rank : 0;
    }

    private string? ExtractRankedString(string? json)
    {
        if (json is null)
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(json);
            var element = document.RootElement;
            if (Field is not null)
            {
                if (element.ValueKind != JsonValueKind.Object || !element.TryGetProperty(Field, out element))
                {
                    return null;
                }
            }

            return element.ValueKind == JsonValueKind.String ? element.GetString() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
