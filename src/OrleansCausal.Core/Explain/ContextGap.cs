namespace OrleansCausal.Core.Explain;

/// <summary>
/// Why one bin did not see another: the context <see cref="Holder"/> carried has only <see cref="Seen"/> for the
/// replica of <see cref="Unseen"/>, which is less than that dot's counter, so the context does not cover it.
/// </summary>
public sealed record ContextGap(Dot Holder, Dot Unseen, ulong Seen)
{
    public override string ToString() =>
        $"the context of {Holder} has {Unseen.Replica}:{Seen}, below {Unseen.Counter}, so it did not see {Unseen}";
}
