using System.Globalization;

namespace OrleansCausal.Core.Resolvers;

/// <summary>The sentences resolvers give for their choice (<see cref="IValueResolver.Resolve(IReadOnlyList{Bin}, out string)"/>).</summary>
internal static class ResolverReasons
{
    public static string Generic(string resolverName, IReadOnlyList<Bin> siblings, Bin? chosen) =>
        Trivial(siblings, chosen) ?? $"{chosen!.Dot} was chosen by the '{resolverName}' resolver among {siblings.Count} siblings.";

    /// <summary>The reason when there is nothing to choose between, or <c>null</c> when there is.</summary>
    public static string? Trivial(IReadOnlyList<Bin> siblings, Bin? chosen) => siblings.Count switch
    {
        0 => "There is no live sibling, so there is no value to show.",
        1 => $"{chosen!.Dot} is the only live sibling.",
        _ => null,
    };

    /// <summary>Why <paramref name="chosen"/> beats the others under last-writer-wins ordering (time, then dot).</summary>
    public static string Latest(Bin chosen, IEnumerable<Bin> rivals, string among)
    {
        var tied = rivals.Where(b => b.Dot != chosen.Dot && b.WrittenAt == chosen.WrittenAt).Select(b => b.Dot.ToString()).ToArray();
        var at = chosen.WrittenAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
        return tied.Length == 0
            ? $"{chosen.Dot} was accepted latest{among} ({at})."
            : $"{chosen.Dot} and {string.Join(", ", tied)} were accepted at the same time ({at}){among}; the larger dot wins the tie.";
    }
}
