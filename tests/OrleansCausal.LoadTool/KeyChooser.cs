using System.Globalization;

namespace OrleansCausal.LoadTool;

/// <summary>
/// Picks operation <c>index</c>'s key: with probability <c>hotFraction</c> one of the first <c>hotKeys</c>, otherwise
/// any key. A pure function of the index (a SplitMix64 hash), so concurrent open-loop requests need no shared random
/// generator and every run sees the same sequence.
/// </summary>
internal static class KeyChooser
{
    public static string ForIndex(long index, int keys, int hotKeys, double hotFraction)
    {
        var hash = Mix(index);
        var unit = (hash >> 11) * (1.0 / (1UL << 53));
        var key = unit < hotFraction ? Mix(~index) % (ulong)hotKeys : Mix(~index) % (ulong)keys;
        return "k" + key.ToString(CultureInfo.InvariantCulture);
    }

    public static ulong Mix(long index)
    {
        var z = unchecked((ulong)index + 0x9E3779B97F4A7C15UL);
        z = unchecked((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL);
        z = unchecked((z ^ (z >> 27)) * 0x94D049BB133111EBUL);
        return z ^ (z >> 31);
    }
}
