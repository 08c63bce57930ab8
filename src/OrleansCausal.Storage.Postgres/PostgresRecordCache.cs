using System.Collections.Concurrent;
using OrleansCausal.Core;

namespace OrleansCausal.Storage.Postgres;

/// <summary>
/// The last record (and its row version) this store instance read or wrote per key. It only saves a round trip:
/// a put computed from a cached record is committed with a version check (compare-and-set), and falls back to
/// locking the row when another silo changed it meanwhile. Bounded: past the capacity it starts over.
/// </summary>
internal sealed class PostgresRecordCache(int capacity)
{
    private readonly ConcurrentDictionary<RecordKey, Entry> _entries = new();

    public bool TryGet(RecordKey key, out CausalRecord record, out long version)
    {
        if (_entries.TryGetValue(key, out var entry))
        {
            (record, version) = (entry.Record, entry.Version);
            return true;
        }

        (record, version) = (CausalRecord.Empty, 0);
        return false;
    }

    /// <summary>Remembers a committed record, unless a newer version is already known.</summary>
    public void Offer(RecordKey key, CausalRecord record, long version)
    {
        if (_entries.Count >= capacity)
        {
            _entries.Clear();
        }

        var entry = new Entry(record, version);
        _entries.AddOrUpdate(key, entry, (_, old) => old.Version > version ? old : entry);
    }

    public void Invalidate(RecordKey key) => _entries.TryRemove(key, out _);

    private sealed record Entry(CausalRecord Record, long Version);
}
