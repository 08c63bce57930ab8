namespace OrleansCausal.Core;

/// <summary>The result of merging remote bins: the record after the merge, how many incoming bins were new, and
/// whether the record learned of operations it did not remember (ids of bins it never held, or that another region
/// saw superseded). Nothing changed when both are none — a duplicate or already-superseded delivery.</summary>
public readonly record struct MergeOutcome(CausalRecord Record, int Added, bool OperationsChanged = false)
{
    public bool Changed => Added > 0 || OperationsChanged;
}
