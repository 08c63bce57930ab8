using System.Text;

namespace OrleansCausal.Core;

/// <summary>
/// An immutable version vector: <c>replica → highest counter seen</c>. Entries are kept sorted by replica
/// and zero counters are never stored, so two equal vectors have identical entry arrays.
/// Every change returns a new vector; the receiver is never modified.
/// </summary>
public sealed class VersionVector : IEquatable<VersionVector>
{
    public static readonly VersionVector Empty = new([]);

    private readonly VectorEntry[] _entries;

    private VersionVector(VectorEntry[] sortedEntries) => _entries = sortedEntries;

    public int Count => _entries.Length;

    public bool IsEmpty => _entries.Length == 0;

    public ReadOnlySpan<VectorEntry> Entries => _entries;

    /// <summary>Builds a vector from arbitrary entries: duplicates keep their maximum, zeros are dropped.</summary>
    public static VersionVector From(IEnumerable<VectorEntry> entries)
    {
        var list = new List<VectorEntry>();
        foreach (var entry in entries)
        {
            if (entry.Counter > 0)
            {
                list.Add(entry);
            }
        }

        if (list.Count == 0)
        {
            return Empty;
        }

        list.Sort(static (a, b) => a.Replica.CompareTo(b.Replica));
        var unique = new List<VectorEntry>(list.Count);
        foreach (var entry in list)
        {
            if (unique.Count > 0 && unique[^1].Replica == entry.Replica)
            {
                unique[^1] = unique[^1] with { Counter = Math.Max(unique[^1].Counter, entry.Counter) };
            }
            else
            {
                unique.Add(entry);
            }
        }

        return new VersionVector([.. unique]);
    }

    public static VersionVector Of(params VectorEntry[] entries) => From(entries);

    /// <summary>Wraps entries that are already strictly sorted by replica with positive counters.</summary>
    internal static VersionVector FromSortedUnchecked(VectorEntry[] sortedEntries) =>
        sortedEntries.Length == 0 ? Empty : new VersionVector(sortedEntries);

    /// <summary>The counter for <paramref name="replica"/>, 0 when absent.</summary>
    public ulong Get(ReplicaId replica)
    {
        var index = IndexOf(replica);
        return index >= 0 ? _entries[index].Counter : 0;
    }

    /// <summary>True when this vector has seen <paramref name="dot"/>: <c>this[dot.Replica] ≥ dot.Counter</c>.</summary>
    public bool Covers(Dot dot) => Get(dot.Replica) >= dot.Counter;

    /// <summary>True when this vector is greater than or equal to <paramref name="other"/> at every replica.</summary>
    public bool Covers(VersionVector other)
    {
        foreach (var entry in other._entries)
        {
            if (Get(entry.Replica) < entry.Counter)
            {
                return false;
            }
        }

        return true;
    }

    public CausalOrder Compare(VersionVector other)
    {
        var thisCoversOther = Covers(other);
        var otherCoversThis = other.Covers(this);
        return (thisCoversOther, otherCoversThis) switch
        {
            (true, true) => CausalOrder.Same,
            (true, false) => CausalOrder.After,
            (false, true) => CausalOrder.Before,
            _ => CausalOrder.Concurrent,
        };
    }

    /// <summary>The pointwise maximum of both vectors.</summary>
    public VersionVector Join(VersionVector other)
    {
        if (other._entries.Length == 0 || ReferenceEquals(this, other))
        {
            return this;
        }

        if (_entries.Length == 0)
        {
            return other;
        }

        if (Covers(other))
        {
            return this;
        }

        if (other.Covers(this))
        {
            return other;
        }

        var merged = new VectorEntry[_entries.Length + other._entries.Length];
        int i = 0, j = 0, k = 0;
        while (i < _entries.Length && j < other._entries.Length)
        {
            var order = _entries[i].Replica.CompareTo(other._entries[j].Replica);
            if (order < 0)
            {
                merged[k++] = _entries[i++];
            }
            else if (order > 0)
            {
                merged[k++] = other._entries[j++];
            }
            else
            {
                merged[k++] = _entries[i].Counter >= other._entries[j].Counter ? _entries[i] : other._entries[j];
                i++;
                j++;
            }
        }

        while (i < _entries.Length)
        {
            merged[k++] = _entries[i++];
        }

        while (j < other._entries.Length)
        {
            merged[k++] = other._entries[j++];
        }

        Array.Resize(ref merged, k);
        return new VersionVector(merged);
    }

    /// <summary>This vector joined with a single dot.</summary>
    public VersionVector With(Dot dot)
    {
        if (dot.Counter == 0)
        {
            return this;
        }

        var index = IndexOf(dot.Replica);
        if (index >= 0)
        {
            if (_entries[index].Counter >= dot.Counter)
            {
                return this;
            }

            var copy = (VectorEntry[])_entries.Clone();
            copy[index] = new VectorEntry(dot.Replica, dot.Counter);
            return new VersionVector(copy);
        }

        var insertAt = ~index;
        var grown = new VectorEntry[_entries.Length + 1];
        Array.Copy(_entries, 0, grown, 0, insertAt);
        grown[insertAt] = new VectorEntry(dot.Replica, dot.Counter);
        Array.Copy(_entries, insertAt, grown, insertAt + 1, _entries.Length - insertAt);
        return new VersionVector(grown);
    }

    public bool Equals(VersionVector? other)
    {
        if (ReferenceEquals(this, other))
        {
            return true;
        }

        return other is not null && _entries.AsSpan().SequenceEqual(other._entries);
    }

    public override bool Equals(object? obj) => Equals(obj as VersionVector);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        foreach (var entry in _entries)
        {
            hash.Add(entry);
        }

        return hash.ToHashCode();
    }

    public override string ToString()
    {
        var builder = new StringBuilder("{");
        foreach (var entry in _entries)
        {
            if (builder.Length > 1)
            {
                builder.Append(", ");
            }

            builder.Append(entry.Replica).Append(':').Append(entry.Counter);
        }

        return builder.Append('}').ToString();
    }

    /// <summary>Index of the replica, or the bitwise complement of its insertion point.</summary>
    private int IndexOf(ReplicaId replica)
    {
        var entries = _entries;
        if (entries.Length <= 8)
        {
            for (var i = 0; i < entries.Length; i++)
            {
                var order = entries[i].Replica.CompareTo(replica);
                if (order == 0)
                {
                    return i;
                }

                if (order > 0)
                {
                    return ~i;
                }
            }

            return ~entries.Length;
        }

        int low = 0, high = entries.Length - 1;
        while (low <= high)
        {
            var mid = (low + high) >>> 1;
            var order = entries[mid].Replica.CompareTo(replica);
            if (order == 0)
            {
                return mid;
            }

            if (order < 0)
            {
                low = mid + 1;
            }
            else
            {
                high = mid - 1;
            }
        }

        return ~low;
    }
}
