using OrleansCausal.Storage;

namespace OrleansCausal.Replication.Outbound;

/// <summary>
/// The shippers whose grain is active in this silo: they wake on this silo's store change notices (with
/// PostgreSQL, other silos' commits arrive here through LISTEN/NOTIFY), and feed the metric gauges.
/// </summary>
public sealed class LocalShippers : IDisposable
{
    private readonly IRecordStore _store;
    private readonly List<PeerSession> _shippers = [];

    public LocalShippers(IRecordStore store, ReplicationMetrics metrics, TimeProvider time)
    {
        _store = store;
        _store.RecordChanged += OnRecordChanged;
        metrics.ObservePeers(() => Observe(time.GetUtcNow()));
    }

    public IReadOnlyList<PeerSession> Snapshot()
    {
        lock (_shippers)
        {
            return [.. _shippers];
        }
    }

    public void Add(PeerSession shipper)
    {
        lock (_shippers)
        {
            _shippers.Add(shipper);
        }
    }

    public void Remove(PeerSession shipper)
    {
        lock (_shippers)
        {
            _shippers.Remove(shipper);
        }
    }

    public void Dispose() => _store.RecordChanged -= OnRecordChanged;

    private void OnRecordChanged(object? sender, RecordChangedEventArgs e)
    {
        lock (_shippers)
        {
            foreach (var shipper in _shippers)
            {
                shipper.Wake();
            }
        }
    }

    private IEnumerable<(string Peer, long Backlog, double LagSeconds)> Observe(DateTimeOffset now)
    {
        foreach (var shipper in Snapshot())
        {
            var lag = shipper.OldestUnacknowledgedAt is { } oldest ? Math.Max(0, (now - oldest).TotalSeconds) : 0;
            yield return (shipper.Region, shipper.LastKnownBacklog, lag);
        }
    }
}
