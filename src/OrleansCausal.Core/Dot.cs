using System.Globalization;

namespace OrleansCausal.Core;

/// <summary>
/// The identity of one write: the replica that accepted it and that replica's per-record counter (≥ 1).
/// Dots are globally unique and immutable. Written as <c>region.epoch.counter</c>.
/// </summary>
public readonly record struct Dot(ReplicaId Replica, ulong Counter) : IComparable<Dot>
{
    public RegionId Region => Replica.Region;

    public int CompareTo(Dot other)
    {
        var byReplica = Replica.CompareTo(other.Replica);
        return byReplica != 0 ? byReplica : Counter.CompareTo(other.Counter);
    }

    public static bool TryParse(ReadOnlySpan<char> text, out Dot dot)
    {
        dot = default;
        var last = text.LastIndexOf('.');
        if (last <= 0 ||
            !ReplicaId.TryParse(text[..last], out var replica) ||
            !ulong.TryParse(text[(last + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var counter) ||
            counter == 0)
        {
            return false;
        }

        dot = new Dot(replica, counter);
        return true;
    }

    /// <summary>The longest text of a dot: a region of <see cref="RegionId.MaxLength"/>, an 8-digit hex epoch, a 20-digit counter, two separators.</summary>
    public const int MaxTextLength = ReplicaId.MaxTextLength + 1 + 20;

    /// <summary>Writes <c>region.epoch.counter</c> without allocating (response writers format a dot per sibling).</summary>
    public bool TryFormat(Span<char> destination, out int charsWritten)
    {
        charsWritten = 0;
        if (!Replica.TryFormat(destination, out var replicaLength) || replicaLength >= destination.Length)
        {
            return false;
        }

        destination[replicaLength] = '.';
        if (!Counter.TryFormat(destination[(replicaLength + 1)..], out var counterLength, default, CultureInfo.InvariantCulture))
        {
            return false;
        }

        charsWritten = replicaLength + 1 + counterLength;
        return true;
    }

    public override string ToString()
    {
        Span<char> text = stackalloc char[MaxTextLength];
        TryFormat(text, out var length);
        return new string(text[..length]);
    }
}
