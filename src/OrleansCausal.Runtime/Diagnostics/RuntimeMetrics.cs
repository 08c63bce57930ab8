using System.Diagnostics.Metrics;

namespace OrleansCausal.Runtime.Diagnostics;

/// <summary>The runtime's instruments (meter <c>OrleansCausal.Runtime</c>): prunes by the sibling cap, the number of
/// live siblings a write leaves, record grain activations and deactivations (by Orleans' deactivation reason), and
/// store failures seen by the dotted-bins grain storage (by operation; version conflicts are not failures).</summary>
public sealed class RuntimeMetrics
{
    public const string MeterName = "OrleansCausal.Runtime";

    private readonly Counter<long> _pruned;
    private readonly Counter<long> _activated;
    private readonly Counter<long> _deactivated;
    private readonly Histogram<int> _siblings;
    private readonly Counter<long> _storeErrors;

    public RuntimeMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(MeterName);
        _pruned = meter.CreateCounter<long>("orleans_causal.siblings.pruned", "{bin}", "Siblings pruned by a namespace's sibling cap.");
        _activated = meter.CreateCounter<long>("orleans_causal.record_grains.activated", "{grain}", "Record grains activated.");
        _deactivated = meter.CreateCounter<long>("orleans_causal.record_grains.deactivated", "{grain}", "Record grains deactivated, by reason.");
        _siblings = meter.CreateHistogram<int>("orleans_causal.record.siblings", "{bin}", "Live siblings (values and tombstones) a record holds after a write.",
            advice: new InstrumentAdvice<int> { HistogramBucketBoundaries = [1, 2, 3, 4, 8, 16, 32, 64, 128, 256, 512, 1024] });
        _storeErrors = meter.CreateCounter<long>("orleans_causal.store.errors", "{error}", "Store operations of the grain storage that failed (not version conflicts), by operation.");
        // Present (at 0) from the start, so alert rules on its rate see a series before the first failure.
        _storeErrors.Add(0, new KeyValuePair<string, object?>("operation", "read"));
        _storeErrors.Add(0, new KeyValuePair<string, object?>("operation", "write"));
        Meter = meter;
    }

    public Meter Meter { get; }

    public void Pruned(string @namespace, int count) =>
        _pruned.Add(count, new KeyValuePair<string, object?>("namespace", @namespace));

    public void Written(string @namespace, int siblings) =>
        _siblings.Record(siblings, new KeyValuePair<string, object?>("namespace", @namespace));

    public void StoreFailed(string operation) => _storeErrors.Add(1, new KeyValuePair<string, object?>("operation", operation));

    public void Activated() => _activated.Add(1);

    public void Deactivated(string reason) => _deactivated.Add(1, new KeyValuePair<string, object?>("reason", reason));
}
