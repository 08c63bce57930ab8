namespace OrleansCausal.Core;

/// <summary>The result of merging remote bins: the record after the merge and how many incoming bins were new
/// (0 means the merge changed nothing — a duplicate or already-superseded delivery).</summary>
public readonly record struct MergeOutcome(CausalRecord Record, int Added)
{
    public bool Changed => Added > 0;
}
