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

    public override string ToString() => $"{Replica}.{Counter.ToString(CultureInfo.InvariantCulture)}";
}
