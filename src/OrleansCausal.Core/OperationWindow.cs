namespace OrleansCausal.Core;

/// <summary>
/// How many operations a record remembers, and for how long. <see cref="Apply"/> keeps the entries accepted no more
/// than <see cref="MaxAge"/> before the newest entry of the set, then the newest <see cref="MaxCount"/> of those by
/// (accepted time, dot). The rule reads nothing but the set itself — never the local clock — so truncating commutes
/// with the union: <c>Apply(Apply(a) ∪ Apply(b)) = Apply(a ∪ b)</c>, and merge stays commutative, associative and
/// idempotent. Every region must use the same window (like the context signing key).
/// </summary>
public sealed record OperationWindow
{
    public static readonly OperationWindow Default = new(256, TimeSpan.FromDays(7));

    public OperationWindow(int maxCount, TimeSpan maxAge)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxCount, 1);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(maxAge, TimeSpan.Zero);
        MaxCount = maxCount;
        MaxAge = maxAge;
    }

    public int MaxCount { get; }

    public TimeSpan MaxAge { get; }

    /// <summary>The entries of <paramref name="operations"/> inside the window, one per dot, sorted by dot.</summary>
    public RememberedOperation[] Apply(IEnumerable<RememberedOperation> operations)
    {
        var byDot = new Dictionary<Dot, RememberedOperation>();
        foreach (var operation in operations)
        {
            byDot.TryAdd(operation.Dot, operation);
        }

        if (byDot.Count == 0)
        {
            return [];
        }

        var newest = byDot.Values.Max(o => o.WrittenAt);
        var oldestKept = newest - DateTimeOffset.MinValue > MaxAge ? newest - MaxAge : DateTimeOffset.MinValue;
        var kept = byDot.Values
            .Where(o => o.WrittenAt >= oldestKept)
            .OrderByDescending(o => o.WrittenAt)
            .ThenByDescending(o => o.Dot)
            .Take(MaxCount)
            .ToArray();
        Array.Sort(kept, static (a, b) => a.Dot.CompareTo(b.Dot));
        return kept;
    }
}
