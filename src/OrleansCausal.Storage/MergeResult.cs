namespace OrleansCausal.Storage;

/// <summary>What a merge of remote bins did: how many bins were new, and which records changed.</summary>
/// <param name="Added">Bins that were new here.</param>
/// <param name="ChangedKeys">The records the merge changed.</param>
public sealed record MergeResult(int Added, IReadOnlyList<RecordKey> ChangedKeys)
{
    /// <summary>The record versions after the merge, in the order of <see cref="ChangedKeys"/> (empty when the store
    /// does not report them). A silo caching an older version of one of these records is stale.</summary>
    public IReadOnlyList<long> ChangedVersions { get; init; } = [];
}
