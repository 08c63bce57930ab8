namespace OrleansCausal.Replication.Wire;

/// <summary>The JSON body of a 200 answer: how many bins were new, and how far the source is now applied (0 for a resend).
/// The answer to an empty batch (a heartbeat, or the garbage collector's probe) also reports the answering region:
/// <see cref="Replica"/> (its store incarnation), <see cref="Head"/> (the last sequence of its own change feed) and
/// <see cref="Applied"/> (how far it has applied each source replica's feed). Older builds leave them out; the
/// garbage collector then holds back (README "Bounded storage").</summary>
public sealed record BatchAcknowledgement(int Added, long AppliedThrough)
{
    public string? Replica { get; init; }

    public long? Head { get; init; }

    public IReadOnlyDictionary<string, long>? Applied { get; init; }
}
