namespace OrleansCausal.Storage;

/// <summary>What a merge of remote bins did: how many bins were new, and which records changed.</summary>
public sealed record MergeResult(int Added, IReadOnlyList<RecordKey> ChangedKeys);
