namespace OrleansCausal.Core;

/// <summary>How two version vectors relate.</summary>
public enum CausalOrder
{
    Same,
    Before,
    After,
    Concurrent,
}
