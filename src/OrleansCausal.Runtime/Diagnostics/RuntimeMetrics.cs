using System.Diagnostics.Metrics;
using OrleansCausal.Core;
using OrleansCausal.Storage;

namespace OrleansCausal.Runtime.Diagnostics;

/// <summary>The runtime's instruments (meter <c>OrleansCausal.Runtime</c>): prunes by the sibling cap, live siblings
/// left by each write (a histogram per namespace), record grain activations and deactivations (by Orleans'
/// deactivation reason), writes replayed by their operation id, and store failures seen by the dotted-bins grain storage (by operation; version conflicts are
/// not failures). Prunes and sibling counts also feed this silo's <see cref="SiblingDiagnostics"/>.</summary>
public sealed class RuntimeMetrics
{
    public const string MeterName = "OrleansCausal.Runtime";

    /// <summary>The most writers a sibling diagnostics entry names.</summary>
    public const int MaxWritersShown = 8;

    private readonly Counter<long> _pruned;
    private readonly Counter<long> _activated;
    private readonly Counter<long> _deactivated;
    private readonly Histogram<int> _siblingsAtWrite;
    private readonly SiblingDiagnostics _siblings;
    private readonly Counter<long> _storeErrors;
    private readonly Counter<long> _replayed;
    private long _replayedTotal;

    public RuntimeMetrics(IMeterFactory meterFactory, SiblingDiagnostics siblings)
    {
        _siblings = siblings;
        var meter = meterFactory.Create(MeterName);
        _pruned = meter.CreateCounter<long>("orleans_causal.siblings.pruned", "{bin}", "Siblings pruned by a namespace's sibling cap.");
        _activated = meter.CreateCounter<long>("orleans_causal.record_grains.activated", "{grain}", "Record grains activated.");
        _deactivated = meter.CreateCounter<long>("orleans_causal.record_grains.deactivated", "{grain}", "Record grains deactivated, by reason.");
        _siblingsAtWrite = meter.CreateHistogram("orleans_causal.siblings.at_write", "{bin}", "Live siblings of a record after a write.",
            advice: new InstrumentAdvice<int> { HistogramBucketBoundaries = [1, 2, 3, 4, 6, 8, 12, 16, 32, 64, 128, 256, 512, 1024] });
        _storeErrors = meter.CreateCounter<long>("orleans_causal.store.errors", "{error}", "Store operations of the grain storage that failed (not version conflicts), by operation.");
        // Present (at 0) from the start, so alert rules on its rate see a series before the first failure.
        _storeErrors.Add(0, new KeyValuePair<string, object?>("operation", "read"));
        _storeErrors.Add(0, new KeyValuePair<string, object?>("operation", "write"));
        _replayed = meter.CreateCounter<long>("orleans_causal.operations.replayed", "{write}",
            "Writes not applied because the record already held their operation id (Idempotency-Key), by namespace.");
        Meter = meter;
    }

    /// <summary>Replayed writes this silo answered since it started (shown in <c>/v1/status</c>).</summary>
    public long ReplayedTotal => Interlocked.Read(ref _replayedTotal);

    /// <summary>A write whose operation id the record already held was answered without being applied.</summary>
    public void Replayed(string @namespace)
    {
        Interlocked.Increment(ref _replayedTotal);
        _replayed.Add(1, new KeyValuePair<string, object?>("namespace", @namespace));
    }

    public Meter Meter { get; }

    public void Pruned(string @namespace, int count)
    {
        _pruned.Add(count, new KeyValuePair<string, object?>("namespace", @namespace));
        _siblings.Pruned(@namespace, count);
    }

    /// <summary>A write to <paramref name="key"/> succeeded and left <paramref name="siblings"/> live.</summary>
    public void Written(RecordKey key, IReadOnlyList<Bin> siblings, DateTimeOffset at)
    {
        _siblingsAtWrite.Record(siblings.Count, new KeyValuePair<string, object?>("namespace", key.Namespace));
        _siblings.Written(key, siblings.Count, at, WritersOf(siblings));
    }

    /// <summary>The distinct known writers of <paramref name="siblings"/>, at most <see cref="MaxWritersShown"/>.</summary>
    private static string[] WritersOf(IReadOnlyList<Bin> siblings)
    {
        if (siblings.Count < 2)
        {
            return [];
        }

        var writers = new List<string>(Math.Min(siblings.Count, MaxWritersShown));
        foreach (var bin in siblings)
        {
            if (bin.Writer is { } writer && !writers.Contains(writer) && writers.Count < MaxWritersShown)
            {
                writers.Add(writer);
            }
        }

        return [.. writers];
    }

    public void StoreFailed(string operation) => _storeErrors.Add(1, new KeyValuePair<string, object?>("operation", operation));

    public void Activated() => _activated.Add(1);

    public void Deactivated(string reason) => _deactivated.Add(1, new KeyValuePair<string, object?>("reason", reason));
}
