using System.Diagnostics.Metrics;

namespace OrleansCausal.Replication;

/// <summary>
/// Replication instruments on the meter <c>OrleansCausal.Replication</c>: counters for shipped, resent, applied
/// and refused bins and batches, a histogram of replication lag at acknowledgement, and per-peer gauges
/// (backlog, lag) fed by <see cref="ObservePeers"/>.
/// </summary>
public sealed class ReplicationMetrics : IDisposable
{
    public const string MeterName = "OrleansCausal.Replication";

    private readonly Meter _meter;
    private readonly Counter<long> _binsShipped;
    private readonly Counter<long> _batchesShipped;
    private readonly Counter<long> _binsResent;
    private readonly Counter<long> _shipFailures;
    private readonly Counter<long> _rewinds;
    private readonly Counter<long> _binsReceived;
    private readonly Counter<long> _binsAdded;
    private readonly Counter<long> _refused;
    private readonly Histogram<double> _lag;
    private readonly Counter<long> _tombstonesPurged;
    private readonly Counter<long> _feedCompacted;
    private Func<IEnumerable<(string Peer, long Backlog, double LagSeconds)>> _peers = static () => [];

    public ReplicationMetrics(IMeterFactory? meterFactory = null)
    {
        _meter = meterFactory?.Create(MeterName) ?? new Meter(MeterName);
        _binsShipped = _meter.CreateCounter<long>("orleans_causal.replication.bins_shipped", "{bin}", "Bins acknowledged by a peer.");
        _batchesShipped = _meter.CreateCounter<long>("orleans_causal.replication.batches_shipped", "{batch}", "Batches acknowledged by a peer.");
        _binsResent = _meter.CreateCounter<long>("orleans_causal.replication.bins_resent", "{bin}", "Bins sent in full resends.");
        _shipFailures = _meter.CreateCounter<long>("orleans_causal.replication.ship_failures", "{failure}", "Failed attempts to ship to a peer.");
        _rewinds = _meter.CreateCounter<long>("orleans_causal.replication.rewinds", "{rewind}", "Gaps reported by a peer (the shipper rewound).");
        _binsReceived = _meter.CreateCounter<long>("orleans_causal.replication.bins_received", "{bin}", "Bins received in accepted batches and resends.");
        _binsAdded = _meter.CreateCounter<long>("orleans_causal.replication.bins_added", "{bin}", "Received bins that were new here.");
        _refused = _meter.CreateCounter<long>("orleans_causal.replication.batches_refused", "{batch}", "Inbound batches refused (gap, forged, ...).");
        _tombstonesPurged = _meter.CreateCounter<long>("orleans_causal.storage.tombstones_purged", "{record}", "Tombstone-only records purged below the stable cut.");
        _feedCompacted = _meter.CreateCounter<long>("orleans_causal.storage.feed_compacted", "{entry}", "Change-feed entries deleted after every peer acknowledged them.");
        _lag = _meter.CreateHistogram<double>("orleans_causal.replication.lag", "s", "Time from a bin's acceptance to the peer's acknowledgement.");
        _meter.CreateObservableGauge("orleans_causal.replication.backlog", () => _peers().Select(static p => new Measurement<long>(p.Backlog, new KeyValuePair<string, object?>("peer", p.Peer))), "{bin}", "Local bins a peer has not acknowledged.");
        _meter.CreateObservableGauge("orleans_causal.replication.backlog_age", () => _peers().Select(static p => new Measurement<double>(p.LagSeconds, new KeyValuePair<string, object?>("peer", p.Peer))), "s", "Age of the oldest bin a peer has not acknowledged.");
    }

    public void ObservePeers(Func<IEnumerable<(string Peer, long Backlog, double LagSeconds)>> peers) => _peers = peers;

    public void Shipped(string peer, int bins, TimeSpan oldestLag)
    {
        var tag = new KeyValuePair<string, object?>("peer", peer);
        _binsShipped.Add(bins, tag);
        _batchesShipped.Add(1, tag);
        _lag.Record(Math.Max(0, oldestLag.TotalSeconds), tag);
    }

    public void Resent(string peer, int bins) => _binsResent.Add(bins, new KeyValuePair<string, object?>("peer", peer));

    public void Failed(string peer) => _shipFailures.Add(1, new KeyValuePair<string, object?>("peer", peer));

    public void Rewound(string peer) => _rewinds.Add(1, new KeyValuePair<string, object?>("peer", peer));

    public void BatchApplied(string source, int received, int added) => Received(source, received, added);

    public void ResendApplied(string source, int received, int added) => Received(source, received, added);

    public void GapRefused(string source) => Refused(source, "gap");

    public void Refused(string source, string reason) =>
        _refused.Add(1, new KeyValuePair<string, object?>("source", source), new KeyValuePair<string, object?>("reason", reason));

    public void TombstonesPurged(long records) => _tombstonesPurged.Add(records);

    public void FeedCompacted(long entries) => _feedCompacted.Add(entries);

    public void Dispose() => _meter.Dispose();

    private void Received(string source, int received, int added)
    {
        var tag = new KeyValuePair<string, object?>("source", source);
        _binsReceived.Add(received, tag);
        _binsAdded.Add(added, tag);
    }
}
