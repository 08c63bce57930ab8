using OrleansCausal.Core;
using OrleansCausal.Runtime.Namespaces;
using OrleansCausal.Storage;

namespace OrleansCausal.Runtime.Records;

/// <summary>A record as a caller sees it: its live siblings, the value the namespace's resolver chose for display
/// (<c>null</c> when there is no live value), and the causal context to carry to the next write. After a write,
/// <see cref="Replayed"/> says the record already held the write's operation id, so nothing was written.</summary>
public sealed record RecordView(RecordKey Key, CausalRecord Record, Bin? Chosen, NamespaceSettings Namespace)
{
    public bool Replayed { get; init; }

    /// <summary>The distinct live values with the dots holding each (equal siblings collapse).</summary>
    public IReadOnlyList<ValueGroup> Values => Record.Values;

    public bool Found => Chosen is not null;

    public IReadOnlyList<Bin> Siblings => Record.Siblings;

    public VersionVector Context => Record.Context;
}
