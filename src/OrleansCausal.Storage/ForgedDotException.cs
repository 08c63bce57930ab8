using OrleansCausal.Core;

namespace OrleansCausal.Storage;

/// <summary>A merge carried a bin under this store's own replica that this store never issued.</summary>
public sealed class ForgedDotException(RecordKey key, Dot dot)
    : Exception($"Refused bin {dot} for record {key}: it carries this store's own replica id, but this store never issued it.")
{
    public RecordKey Key { get; } = key;

    public Dot Dot { get; } = dot;
}
