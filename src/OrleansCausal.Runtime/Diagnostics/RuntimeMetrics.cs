using System.Diagnostics.Metrics;

namespace OrleansCausal.Runtime.Diagnostics;

/// <summary>The runtime's counters (meter <c>OrleansCausal.Runtime</c>): prunes by the sibling cap, and record grain
/// activations and deactivations (by Orleans' deactivation reason).</summary>
public sealed class RuntimeMetrics
{
    public const string MeterName = "OrleansCausal.Runtime";

    private readonly Counter<long> _pruned;
    private readonly Counter<long> _activated;
    private readonly Counter<long> _deactivated;

    public RuntimeMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(MeterName);
        _pruned = meter.CreateCounter<long>("orleans_causal.siblings.pruned", "{bin}", "Siblings pruned by a namespace's sibling cap.");
        _activated = meter.CreateCounter<long>("orleans_causal.record_grains.activated", "{grain}", "Record grains activated.");
        _deactivated = meter.CreateCounter<long>("orleans_causal.record_grains.deactivated", "{grain}", "Record grains deactivated, by reason.");
        Meter = meter;
    }

    public Meter Meter { get; }

    public void Pruned(string @namespace, int count) =>
        _pruned.Add(count, new KeyValuePair<string, object?>("namespace", @namespace));

    public void Activated() => _activated.Add(1);

    public void Deactivated(string reason) => _deactivated.Add(1, new KeyValuePair<string, object?>("reason", reason));
}
