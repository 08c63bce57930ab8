using OrleansCausal.Core;
using OrleansCausal.Storage;

namespace OrleansCausal.Runtime.Client;

/// <summary>
/// The opaque causal context of one record, taken from a read and carried to the next write of the same record
/// ("as far as the decision"). It is bound to its record: passing it to another key is refused.
/// </summary>
[GenerateSerializer, Immutable]
public sealed class CausalContext
{
    internal CausalContext(RecordKey key, VersionVector vector)
    {
        Key = key;
        Vector = vector;
    }

    [Id(0)]
    public RecordKey Key { get; }

    /// <summary>True when the record had never been written when this context was taken.</summary>
    public bool IsEmpty => Vector.IsEmpty;

    [Id(1)]
    internal VersionVector Vector { get; }

    internal VersionVector For(RecordKey key) =>
        key == Key
            ? Vector
            : throw new ArgumentException($"This causal context belongs to record {Key}, not {key}.", nameof(key));

    public override string ToString() => $"{Key}@{Vector}";
}
