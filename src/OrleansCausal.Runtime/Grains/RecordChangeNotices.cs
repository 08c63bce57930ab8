using System.Collections.Concurrent;
using OrleansCausal.Storage;

namespace OrleansCausal.Runtime.Grains;

/// <summary>
/// The store's change notices, routed to the record grains active in this silo. A replication merge (or, with a
/// shared PostgreSQL store, a write through another silo) changes a record underneath its grain; the store raises
/// <see cref="IRecordStore.RecordChanged"/> with the record's new version, and the grain's <see cref="Mark"/> keeps
/// the highest version noticed. A grain whose cached record is older than its mark reloads before serving it.
/// </summary>
public sealed class RecordChangeNotices : IDisposable
{
    private readonly ConcurrentDictionary<RecordKey, Mark> _marks = new();
    private readonly IRecordStore _store;

    public RecordChangeNotices(IRecordStore store)
    {
        _store = store;
        _store.RecordChanged += OnRecordChanged;
    }

    /// <summary>Record grains active in this silo.</summary>
    public int Count => _marks.Count;

    /// <summary>Whether a record grain of <paramref name="key"/> is active in this silo.</summary>
    public bool IsRegistered(RecordKey key) => _marks.ContainsKey(key);

    /// <summary>Starts routing notices of <paramref name="key"/> to a new mark (one per activation).</summary>
    public Mark Register(RecordKey key)
    {
        var mark = new Mark();
        _marks[key] = mark;
        return mark;
    }

    /// <summary>Stops routing notices to <paramref name="mark"/> (a newer activation's mark stays).</summary>
    public void Unregister(RecordKey key, Mark mark) => _marks.TryRemove(new KeyValuePair<RecordKey, Mark>(key, mark));

    public void Dispose() => _store.RecordChanged -= OnRecordChanged;

    /// <summary>A change of <paramref name="key"/> to <paramref name="version"/> learned from elsewhere (another silo
    /// that merged a replication batch, see <see cref="RecordNoticeBroadcast"/>).</summary>
    public void Observe(RecordKey key, long version)
    {
        if (_marks.TryGetValue(key, out var mark))
        {
            mark.Observe(version);
        }
    }

    private void OnRecordChanged(object? sender, RecordChangedEventArgs e) => Observe(e.Key, e.Version);

    /// <summary>The highest record version noticed for one activation; written by the store's thread, read by the grain.</summary>
    public sealed class Mark
    {
        private long _highest;

        public long Highest => Volatile.Read(ref _highest);

        public void Observe(long version)
        {
            var seen = Volatile.Read(ref _highest);
            while (version > seen)
            {
                var previous = Interlocked.CompareExchange(ref _highest, version, seen);
                if (previous == seen)
                {
                    return;
                }

                seen = previous;
            }
        }
    }
}
