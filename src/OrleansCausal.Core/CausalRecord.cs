namespace OrleansCausal.Core;

/// <summary>
/// A record: a set of dotted bins plus the record clock (DESIGN.md §1). Immutable; every operation returns a
/// new record. Bins are kept sorted by dot, so equal records have identical bin arrays.
/// <para>
/// Invariants kept by every operation: no bin is covered by another bin's context; the clock covers every
/// bin's dot and context; the clock never goes backwards.
/// </para>
/// <para>
/// Operations (idempotency): a record also holds the set of operations it remembers (<see cref="Operations"/>:
/// operation id → dot and accepted time), stored and replicated with it, merged by union and bounded by an
/// <see cref="OperationWindow"/>. The bins stay exactly those of the plain dotted-bins CRDT; which of them are
/// <em>shown</em> is a function of the bins, the clock and that set (<see cref="IsShown"/>): of the bins carrying one
/// operation id only the one with the smallest dot is shown, and none once any instance of that operation was
/// superseded (its dot is covered by the clock but no bin holds it). Because the shown bins are a function of state
/// that converges, every region shows the same ones.
/// </para>
/// </summary>
public sealed partial class CausalRecord : IEquatable<CausalRecord>
{
    public static readonly CausalRecord Empty = new([], VersionVector.Empty, []);

    private readonly Bin[] _bins;
    private readonly RememberedOperation[] _operations;
    private bool[]? _hidden;

    private CausalRecord(Bin[] sortedBins, VersionVector clock, RememberedOperation[] sortedOperations)
    {
        _bins = sortedBins;
        Clock = clock;
        _operations = sortedOperations;
    }

    /// <summary>The operations the record remembers (inside its window), sorted by dot.</summary>
    public IReadOnlyList<RememberedOperation> Operations => _operations;

    /// <summary>Every bin, tombstones included, sorted by dot.</summary>
    public IReadOnlyList<Bin> Bins => _bins;

    /// <summary>The record's version vector: the join of every dot and every context ever applied.</summary>
    public VersionVector Clock { get; }

    /// <summary>The causal context a reader takes away: the record clock.</summary>
    public VersionVector Context => Clock;

    /// <summary>The live values (siblings): every shown bin (see <see cref="IsShown"/>) that is not a tombstone,
    /// sorted by dot.</summary>
    public IReadOnlyList<Bin> Siblings
    {
        get
        {
            var hidden = Hidden();
            var live = 0;
            for (var i = 0; i < _bins.Length; i++)
            {
                if (!_bins[i].IsTombstone && !IsHidden(hidden, i))
                {
                    live++;
                }
            }

            if (live == _bins.Length)
            {
                return _bins;
            }

            var siblings = new Bin[live];
            var k = 0;
            for (var i = 0; i < _bins.Length; i++)
            {
                if (!_bins[i].IsTombstone && !IsHidden(hidden, i))
                {
                    siblings[k++] = _bins[i];
                }
            }

            return siblings;
        }
    }

    /// <summary>The distinct live values, each with the dots of the siblings holding exactly that JSON text, in the
    /// order of their first dot.</summary>
    public IReadOnlyList<ValueGroup> Values
    {
        get
        {
            var order = new List<string>();
            var dots = new Dictionary<string, List<Dot>>(StringComparer.Ordinal);
            foreach (var bin in Siblings)
            {
                if (!dots.TryGetValue(bin.Value!, out var list))
                {
                    dots[bin.Value!] = list = [];
                    order.Add(bin.Value!);
                }

                list.Add(bin.Dot);
            }

            return order.Select(v => new ValueGroup(v, dots[v])).ToArray();
        }
    }

    /// <summary>One sibling per distinct value — of those holding it, the latest accepted (then the largest dot) —
    /// sorted by dot: what resolvers choose from, so that each distinct value counts once.</summary>
    public IReadOnlyList<Bin> DistinctSiblings
    {
        get
        {
            var latest = new Dictionary<string, Bin>(StringComparer.Ordinal);
            foreach (var bin in Siblings)
            {
                if (!latest.TryGetValue(bin.Value!, out var held) || (bin.WrittenAt, bin.Dot).CompareTo((held.WrittenAt, held.Dot)) > 0)
                {
                    latest[bin.Value!] = bin;
                }
            }

            var distinct = latest.Values.ToArray();
            Array.Sort(distinct, static (a, b) => a.Dot.CompareTo(b.Dot));
            return distinct;
        }
    }

    /// <summary>False when the record was never written or every shown bin is a tombstone ("not found").</summary>
    public bool HasLiveValue
    {
        get
        {
            var hidden = Hidden();
            for (var i = 0; i < _bins.Length; i++)
            {
                if (!_bins[i].IsTombstone && !IsHidden(hidden, i))
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
    public static CausalRecord Restore(IEnumerable<Bin> bins, VersionVector clock, IEnumerable<RememberedOperation>? operations = null)
    {
        var remembered = operations?.ToArray() ?? [];
        Array.Sort(remembered, static (a, b) => a.Dot.CompareTo(b.Dot));
        for (var i = 1; i < remembered.Length; i++)
        {
            if (remembered[i].Dot == remembered[i - 1].Dot)
            {
                throw new InvalidDataException($"Two remembered operations share dot {remembered[i].Dot}.");
            }
        }

        foreach (var operation in remembered)
        {
            if (!OperationIds.IsValid(operation.Id))
            {
                throw new InvalidDataException($"The remembered operation at {operation.Dot} has an invalid id: {OperationIds.Describe(operation.Id)}.");
            }
        }

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

        return sorted.Length == 0 && clock.IsEmpty && remembered.Length == 0 ? Empty : new CausalRecord(sorted, clock, remembered);
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
    /// <para>
    /// With an <paramref name="operationId"/>, the bin carries it and the record remembers it (within
    /// <paramref name="window"/>, <see cref="OperationWindow.Default"/> when null). The caller first checks
    /// <see cref="FindOperation"/>: a put of an operation the record already holds is a replay and must not be applied,
    /// so this method refuses it.
    /// </para>
    /// </summary>
    public PutOutcome Put(ReplicaId replica, string? value, VersionVector context, DateTimeOffset writtenAt, int maxBins = int.MaxValue, string? writer = null,
        string? operationId = null, OperationWindow? window = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBins, 1);
        if (operationId is not null && FindOperation(operationId) is { } held)
        {
            throw new InvalidOperationException($"The record already holds operation '{operationId}' (at {held}); a replay is answered, not applied.");
        }

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

        var written = new Bin(dot, value, effectiveContext, writtenAt, writer, operationId);
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
        var operations = operationId is null
            ? _operations
            : (window ?? OperationWindow.Default).Apply(_operations.Append(RememberedOperation.Of(written)));
        return new PutOutcome(new CausalRecord(bins, clock, operations), written, pruned);
    }

    /// <summary>delete(context): a put whose value is a tombstone.</summary>
    public PutOutcome Delete(ReplicaId replica, VersionVector context, DateTimeOffset writtenAt, int maxBins = int.MaxValue, string? writer = null,
        string? operationId = null, OperationWindow? window = null) =>
        Put(replica, null, context, writtenAt, maxBins, writer, operationId, window);

    /// <summary>
    /// merge(remote bins): each incoming bin is skipped when its dot is already present, or is covered by the
    /// clock but absent (it was seen and superseded); otherwise it is added. Then every bin covered by another
    /// bin's context is dropped, and the clock is joined with each added bin's dot and context.
    /// Commutative, associative and idempotent.
    /// <para>
    /// Operations: the remembered set becomes <c>window(remembered ∪ incoming remembered ∪ the operation of every
    /// incoming bin that carries one)</c> — skipped bins included, since a bin that arrives already superseded is
    /// exactly the instance that tells this region the operation was overwritten. Union and the window (a function of
    /// the set alone) keep the merge commutative, associative and idempotent.
    /// </para>
    /// </summary>
    public MergeOutcome Merge(IEnumerable<Bin> incoming, IEnumerable<RememberedOperation>? remembered = null, OperationWindow? window = null)
    {
        List<Bin>? added = null;
        List<RememberedOperation>? learned = null;
        foreach (var bin in incoming)
        {
            if (bin.OperationId is not null)
            {
                (learned ??= []).Add(RememberedOperation.Of(bin));
            }

            if (Clock.Covers(bin.Dot) || ContainsDot(added, bin.Dot))
            {
                continue;
            }

            (added ??= []).Add(bin);
        }

        if (remembered is not null)
        {
            (learned ??= []).AddRange(remembered);
        }

        var operations = _operations;
        if (learned is not null)
        {
            var candidate = (window ?? OperationWindow.Default).Apply(_operations.Concat(learned));
            if (!candidate.AsSpan().SequenceEqual(_operations))
            {
                operations = candidate;
            }
        }

        var operationsChanged = !ReferenceEquals(operations, _operations);
        if (added is null)
        {
            return operationsChanged ? new MergeOutcome(new CausalRecord(_bins, Clock, operations), 0, true) : new MergeOutcome(this, 0);
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
        return new MergeOutcome(new CausalRecord(sorted, clock, operations), added.Count, operationsChanged);
    }

    public bool Equals(CausalRecord? other)
    {
        if (ReferenceEquals(this, other))
        {
            return true;
        }

        if (other is null || !Clock.Equals(other.Clock) || _bins.Length != other._bins.Length ||
            !_operations.AsSpan().SequenceEqual(other._operations))
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

    public override string ToString() =>
        $"[{string.Join(", ", _bins.Select(b => b.ToString()))}] clock {Clock}" +
        (_operations.Length == 0 ? string.Empty : $" ops [{string.Join(", ", _operations)}]");

    /// <summary>The index of the bin with <paramref name="dot"/> (bins are sorted by dot), or -1.</summary>
    private int IndexOf(Dot dot)
    {
        int low = 0, high = _bins.Length - 1;
        while (low <= high)
        {
            var middle = low + ((high - low) / 2);
            var order = _bins[middle].Dot.CompareTo(dot);
            if (order == 0)
            {
                return middle;
            }

            if (order < 0)
            {
                low = middle + 1;
            }
            else
            {
                high = middle - 1;
            }
        }

        return -1;
    }

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
