namespace OrleansCausal.Core;

/// <summary>
/// A record: a set of dotted bins plus the record clock (DESIGN.md §1). Immutable; every operation returns a
/// new record. Bins are kept sorted by dot, so equal records have identical bin arrays.
/// <para>
/// Invariants kept by every operation: no bin is covered by another bin's context; the clock covers every
/// bin's dot and context; the clock never goes backwards.
/// </para>
/// </summary>
public sealed class CausalRecord : IEquatable<CausalRecord>
{
    public static readonly CausalRecord Empty = new([], VersionVector.Empty);

    private readonly Bin[] _bins;

    private CausalRecord(Bin[] sortedBins, VersionVector clock)
    {
        _bins = sortedBins;
        Clock = clock;
    }

    /// <summary>Every bin, tombstones included, sorted by dot.</summary>
    public IReadOnlyList<Bin> Bins => _bins;

    /// <summary>The record's version vector: the join of every dot and every context ever applied.</summary>
    public VersionVector Clock { get; }

    /// <summary>The causal context a reader takes away: the record clock.</summary>
    public VersionVector Context => Clock;

    /// <summary>The live values (siblings): every bin that is not a tombstone, sorted by dot.</summary>
    public IReadOnlyList<Bin> Siblings
    {
        get
        {
            var live = 0;
            foreach (var bin in _bins)
            {
                if (!bin.IsTombstone)
                {
                    live++;
                }
            }

            if (live == _bins.Length)
            {
                return _bins;
            }

            var siblings = new Bin[live];
            var i = 0;
            foreach (var bin in _bins)
            {
                if (!bin.IsTombstone)
                {
                    siblings[i++] = bin;
                }
            }

            return siblings;
        }
    }

    /// <summary>False when the record was never written or every bin is a tombstone ("not found").</summary>
    public bool HasLiveValue
    {
        get
        {
            foreach (var bin in _bins)
            {
                if (!bin.IsTombstone)
                {
                    return true;
                }
            }

            return false;
        }
    }

    /// <summary>
    /// Rebuilds a record from stored parts, checking the invariants (a corrupt store must not be served).
    /// </summary>
    public static CausalRecord Restore(IEnumerable<Bin> bins, VersionVector clock)
    {
        var sorted = bins.ToArray();
        Array.Sort(sorted, static (a, b) => a.Dot.CompareTo(b.Dot));
        for (var i = 0; i < sorted.Length; i++)
        {
            if (i > 0 && sorted[i].Dot == sorted[i - 1].Dot)
            {
                throw new InvalidDataException($"Duplicate bin {sorted[i].Dot}.");
            }

            if (!clock.Covers(sorted[i].Dot) || !clock.Covers(sorted[i].Context))
            {
                throw new InvalidDataException($"The clock {clock} does not cover bin {sorted[i]}.");
            }

            foreach (var other in sorted)
            {
                if (other.Context.Covers(sorted[i].Dot))
                {
                    throw new InvalidDataException($"Bin {sorted[i].Dot} is covered by the context of bin {other.Dot}.");
                }
            }
        }

        return sorted.Length == 0 && clock.IsEmpty ? Empty : new CausalRecord(sorted, clock);
    }

    /// <summary>
    /// put(value, context) at <paramref name="replica"/>: <c>n = max(clock[R], context[R]) + 1</c>; adds bin
    /// <c>(R, n)</c> carrying the context; drops every bin the context covers; <c>clock = clock ⊔ context ⊔ (R, n)</c>.
    /// A put never fails because of concurrency: at worst it creates a sibling. A <c>null</c> value writes a
    /// tombstone (a delete).
    /// <para>
    /// Sibling cap: when more than <paramref name="maxBins"/> bins would remain, the oldest of the others (by
    /// accepted time, then dot) are pruned by adding their dots to the new bin's context. The prune therefore
    /// travels with the bin: every region that receives it drops the same bins, and their dots stay covered by
    /// the clock, so they can never come back.
    /// </para>
    /// </summary>
    public PutOutcome Put(ReplicaId replica, string? value, VersionVector context, DateTimeOffset writtenAt, int maxBins = int.MaxValue, string? writer = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBins, 1);
        var counter = Math.Max(Clock.Get(replica), context.Get(replica)) + 1;
        var dot = new Dot(replica, counter);

        var survivorCount = 0;
        foreach (var bin in _bins)
        {
            if (!context.Covers(bin.Dot))
            {
                survivorCount++;
            }
        }

        var overCap = Math.Max(0, survivorCount + 1 - maxBins);
        var effectiveContext = context;
        var pruned = 0;
        if (overCap > 0)
        {
            // Covering the chosen dot also covers that replica's older dots, so count what really goes.
            effectiveContext = ExtendWithOldest(context, overCap);
            var remaining = 0;
            foreach (var bin in _bins)
            {
                if (!effectiveContext.Covers(bin.Dot))
                {
                    remaining++;
                }
            }

            pruned = survivorCount - remaining;
        }

        var written = new Bin(dot, value, effectiveContext, writtenAt, writer);
        var bins = new Bin[survivorCount - pruned + 1];
        var k = 0;
        var inserted = false;
        foreach (var bin in _bins)
        {
            if (effectiveContext.Covers(bin.Dot))
            {
                continue;
            }

            if (!inserted && dot.CompareTo(bin.Dot) < 0)
            {
                bins[k++] = written;
                inserted = true;
            }

            bins[k++] = bin;
        }

        if (!inserted)
        {
            bins[k] = written;
        }

        var clock = Clock.Join(effectiveContext).With(dot);
        return new PutOutcome(new CausalRecord(bins, clock), written, pruned);
    }

    /// <summary>delete(context): a put whose value is a tombstone.</summary>
    public PutOutcome Delete(ReplicaId replica, VersionVector context, DateTimeOffset writtenAt, int maxBins = int.MaxValue, string? writer = null) =>
        Put(replica, null, context, writtenAt, maxBins, writer);

    /// <summary>
    /// merge(remote bins): each incoming bin is skipped when its dot is already present, or is covered by the
    /// clock but absent (it was seen and superseded); otherwise it is added. Then every bin covered by another
    /// bin's context is dropped, and the clock is joined with each added bin's dot and context.
    /// Commutative, associative and idempotent.
    /// </summary>
    public MergeOutcome Merge(IEnumerable<Bin> incoming)
    {
        List<Bin>? added = null;
        foreach (var bin in incoming)
        {
            if (Clock.Covers(bin.Dot) || ContainsDot(added, bin.Dot))
            {
                continue;
            }

            (added ??= []).Add(bin);
        }

        if (added is null)
        {
            return new MergeOutcome(this, 0);
        }

        // Existing bins never cover each other, and the clock covers every existing bin's context, so an added bin
        // (not covered by the clock) can only be covered by another added bin; existing bins can be covered by
        // added ones.
        var addedContexts = VersionVector.Empty;
        var clock = Clock;
        foreach (var bin in added)
        {
            addedContexts = addedContexts.Join(bin.Context);
            clock = clock.Join(bin.Context).With(bin.Dot);
        }

        var survivors = new List<Bin>(_bins.Length + added.Count);
        foreach (var bin in _bins)
        {
            if (!addedContexts.Covers(bin.Dot))
            {
                survivors.Add(bin);
            }
        }

        foreach (var bin in added)
        {
            if (!addedContexts.Covers(bin.Dot))
            {
                survivors.Add(bin);
            }
        }

        var sorted = survivors.ToArray();
        Array.Sort(sorted, static (a, b) => a.Dot.CompareTo(b.Dot));
        return new MergeOutcome(new CausalRecord(sorted, clock), added.Count);
    }

    public bool Equals(CausalRecord? other)
    {
        if (ReferenceEquals(this, other))
        {
            return true;
        }

        if (other is null || !Clock.Equals(other.Clock) || _bins.Length != other._bins.Length)
        {
            return false;
        }

        for (var i = 0; i < _bins.Length; i++)
        {
            if (!_bins[i].Equals(other._bins[i]))
            {
                return false;
            }
        }

        return true;
    }

    public override bool Equals(object? obj) => Equals(obj as CausalRecord);

    public override int GetHashCode() => HashCode.Combine(Clock, _bins.Length);

    public override string ToString() => $"[{string.Join(", ", _bins.Select(b => b.ToString()))}] clock {Clock}";

    private static bool ContainsDot(List<Bin>? bins, Dot dot)
    {
        if (bins is null)
        {
            return false;
        }

        foreach (var bin in bins)
        {
            if (bin.Dot == dot)
            {
                return true;
            }
        }

        return false;
    }

    private VersionVector ExtendWithOldest(VersionVector context, int count)
    {
        var candidates = new List<Bin>();
        foreach (var bin in _bins)
        {
            if (!context.Covers(bin.Dot))
            {
                candidates.Add(bin);
            }
        }

        candidates.Sort(static (a, b) =>
        {
            var byTime = a.WrittenAt.CompareTo(b.WrittenAt);
            return byTime != 0 ? byTime : a.Dot.CompareTo(b.Dot);
        });

        // The pruned bin's own context goes along with its dot, so that every region's clock ends up the same
        // whether or not it ever received the pruned bin.
        var extended = context;
        for (var i = 0; i < count; i++)
        {
            extended = extended.Join(candidates[i].Context).With(candidates[i].Dot);
        }

        return extended;
    }
}
