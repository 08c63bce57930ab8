namespace OrleansCausal.Runtime.GrainStorage;

/// <summary>Options of one dotted-bins grain storage (bound from configuration section <c>GrainStorage</c>).</summary>
public sealed class DottedBinsGrainStorageOptions
{
    /// <summary>The provider name the record grain uses (<c>[PersistentState("record", DefaultName)]</c>).</summary>
    public const string DefaultName = "dotted-bins";

    /// <summary>The silo lifecycle stage at which the store is opened (and closed on the way down): before grains
    /// activate and before the gateway serves.</summary>
    public int InitStage { get; set; } = ServiceLifecycleStage.RuntimeStorageServices;

    /// <summary>The region this silo serves; the store must belong to it (checked when it opens). Null: not checked.</summary>
    public string? Region { get; set; }
}
