using System.Globalization;

namespace OrleansCausal.Core;

/// <summary>
/// One incarnation of a region's store: the region plus an epoch chosen when the store was created.
/// A region whose store is lost and rebuilt gets a new epoch, so it can never issue a dot twice
/// (DESIGN.md §1, invariant 4). Written as <c>region.epoch</c> with the epoch in eight hex digits.
/// </summary>
public readonly record struct ReplicaId(RegionId Region, uint Epoch) : IComparable<ReplicaId>
{
    public int CompareTo(ReplicaId other)
    {
        var byRegion = Region.CompareTo(other.Region);
        return byRegion != 0 ? byRegion : Epoch.CompareTo(other.Epoch);
    }

    /// <summary>A fresh epoch for a newly created store: random, never zero.</summary>
    public static uint NewEpoch() => (uint)Random.Shared.NextInt64(1, (long)uint.MaxValue + 1);

    public static ReplicaId Parse(string text) =>
        TryParse(text, out var replica)
            ? replica
            : throw new FormatException($"'{text}' is not a replica id of the form 'region.epoch' (epoch in 8 hex digits).");

    public static bool TryParse(ReadOnlySpan<char> text, out ReplicaId replica)
    {
        replica = default;
        var dot = text.LastIndexOf('.');
        if (dot <= 0 || text.Length - dot - 1 != 8)
        {
            return false;
        }

        if (!RegionId.TryParse(text[..dot].ToString(), out var region) ||
            !uint.TryParse(text[(dot + 1)..], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var epoch))
        {
            return false;
        }

        replica = new ReplicaId(region, epoch);
        return true;
    }

    /// <summary>The longest text of a replica id: a region of <see cref="RegionId.MaxLength"/>, a separator, an 8-digit hex epoch.</summary>
    public const int MaxTextLength = RegionId.MaxLength + 1 + 8;

    /// <summary>Writes <c>region.epoch</c> without allocating.</summary>
    public bool TryFormat(Span<char> destination, out int charsWritten) =>
        destination.TryWrite(CultureInfo.InvariantCulture, $"{Region}.{Epoch:x8}", out charsWritten);

    public override string ToString()
    {
        Span<char> text = stackalloc char[MaxTextLength];
        TryFormat(text, out var length);
        return new string(text[..length]);
    }
}
