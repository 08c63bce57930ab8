namespace OrleansCausal.Runtime.Client;

/// <summary>A record read through <see cref="ICausalClient"/>: the resolver's choice (<see cref="Value"/>, default when
/// not <see cref="Found"/>), every live sibling, and the context for the next write.</summary>
public sealed record CausalValue<T>(bool Found, T? Value, IReadOnlyList<CausalSibling<T>> Siblings, CausalContext Context)
{
    /// <summary>After a write with an operation id: the record already held that operation, so nothing was written.</summary>
    public bool Replayed { get; init; }
}

/// <summary>One live sibling: its value, its dot (<c>region.epoch.counter</c>), region and acceptance time.</summary>
public sealed record CausalSibling<T>(T? Value, string Dot, string Region, DateTimeOffset WrittenAt, string? Writer = null);
