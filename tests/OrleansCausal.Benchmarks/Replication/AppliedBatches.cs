using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace OrleansCausal.Benchmarks.Replication;

/// <summary>
/// Times the batches a receiver applies from one source, from the replication metrics
/// (<c>orleans_causal.replication.bins_received</c>, recorded once per batch after its merge committed): when each
/// was applied and how many bins it held. Lets the catch-up be timed batch by batch without querying the receiver's
/// store in a loop (a poll would compete for the same two cores as the catch-up it measures).
/// </summary>
public sealed class AppliedBatches : IDisposable
{
    private const string Instrument = "orleans_causal.replication.bins_received";

    private readonly string _source;
    private readonly MeterListener _listener = new();
    private readonly ConcurrentQueue<(long At, long Bins)> _batches = new();
    private volatile TaskCompletionSource _applied = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public AppliedBatches(string source)
    {
        _source = source;
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Name == Instrument)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>(OnMeasurement);
        _listener.Start();
    }

    /// <summary>Each applied batch: when (Stopwatch ticks) and how many bins, in the order they were applied.</summary>
    public IReadOnlyList<(long At, long Bins)> Batches => [.. _batches];

    /// <summary>Completes at the next applied batch.</summary>
    public Task NextAsync() => _applied.Task;

    public void Dispose() => _listener.Dispose();

    private void OnMeasurement(Instrument instrument, long bins, ReadOnlySpan<KeyValuePair<string, object?>> tags, object? state)
    {
        foreach (var tag in tags)
        {
            if (tag.Key == "source" && Equals(tag.Value, _source) && bins > 0)
            {
                _batches.Enqueue((Stopwatch.GetTimestamp(), bins));
                Interlocked.Exchange(ref _applied, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
                return;
            }
        }
    }
}
