namespace OrleansCausal.Core.Explain;

/// <summary>
/// Two bins of a record and why both are still there: neither's context covers the other's dot (DESIGN.md §1:
/// a write drops exactly the bins its context covers). In a consistent record both gaps are always present.
/// </summary>
public sealed record SiblingPair(Dot First, Dot Second, ContextGap? FirstMissesSecond, ContextGap? SecondMissesFirst)
{
    /// <summary>True when neither bin's context covers the other's dot.</summary>
    public bool Concurrent => FirstMissesSecond is not null && SecondMissesFirst is not null;

    /// <summary>One sentence: why the two are concurrent (or, for an inconsistent record, which one covers the other).</summary>
    public string Reason => Concurrent
        ? $"{First} and {Second} are concurrent: {FirstMissesSecond}, and {SecondMissesFirst}."
        : $"{First} and {Second} are not concurrent: {(FirstMissesSecond is null ? First : Second)}'s context covers the other's dot.";
}
