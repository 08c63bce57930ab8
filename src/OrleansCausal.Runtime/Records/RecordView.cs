using OrleansCausal.Core;
using OrleansCausal.Runtime.Namespaces;
using OrleansCausal.Storage;

namespace OrleansCausal.Runtime.Records;

/// <summary>A record as a caller sees it: its live siblings, the value the namespace's resolver chose for display
/// (<c>null</c> when there is no live value), and the causal context to carry to the next write.</summary>
public sealed record RecordView(RecordKey Key, CausalRecord Record, Bin? Chosen, NamespaceSettings Namespace)
{
    public bool Found => Chosen is not null;

    public IReadOnlyList<Bin> Siblings => Record.Siblings;

    public VersionVector Context => Record.Context;
}
