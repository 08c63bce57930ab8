using System.Collections.Concurrent;
using OrleansCausal.Core;
using OrleansCausal.Storage;

namespace OrleansCausal.Runtime.Grains;

/// <summary>
/// The record grains active in this silo, each with its last committed record and the store's change notices for it.
/// A replication merge (or, with a shared PostgreSQL store, a write through another silo) changes a record underneath
/// its grain; the store raises <see cref="IRecordStore.RecordChanged"/> with the record's new version, and the grain's
/// <see cref="Mark"/> keeps the highest version noticed. A committed record older than its mark is stale: the grain
/// reloads it before serving it. Readers in this silo (the gateway) may take a fresh committed record straight from
/// here without a grain call (<see cref="TryGetFresh"/>): the grain publishes only durable writes, so this is exactly
/// what the grain itself would answer from its cache.
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

    /// <summary>The committed record of <paramref name="key"/>'s grain active in this silo, when it is fresh (no newer
    /// change noticed, younger than <paramref name="maxAgeTicks"/>) and covers <paramref name="atLeast"/>.</summary>
    public RecordSnapshot? TryGetFresh(RecordKey key, VersionVector? atLeast, long now, long maxAgeTicks) =>
        _marks.TryGetValue(key, out var mark) ? mark.TryGetFresh(atLeast, now, maxAgeTicks) : null;

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

    /// <summary>One activation's committed record (written by the grain) and the highest record version noticed
    /// (written by the store's thread, or by another silo's notice); read from any thread.</summary>
    public sealed class Mark
    {
        private long _highest;
        private static readonly RecordSnapshot Nothing = new(CausalRecord.Empty, 0);

        // Null until the activation has read its state and published it: nothing is served from here before that.
        private Committed? _committed;

        public long Highest => Volatile.Read(ref _highest);

        /// <summary>The newest committed record published (versions only grow).</summary>
        public RecordSnapshot Snapshot => Volatile.Read(ref _committed)?.Snapshot ?? Nothing;

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

        /// <summary>Publishes a committed record read or written at <paramref name="at"/>; an older version is ignored.
        /// Called by the grain only (one thread at a time).</summary>
        public void Publish(RecordSnapshot snapshot, long at)
        {
            if (snapshot.Version >= Snapshot.Version)
            {
                Volatile.Write(ref _committed, new Committed(snapshot, at));
            }
        }

        public RecordSnapshot? TryGetFresh(VersionVector? atLeast, long now, long maxAgeTicks)
        {
            var committed = Volatile.Read(ref _committed);
            return committed is not null &&
                   Highest <= committed.Snapshot.Version &&
                   now - committed.At <= maxAgeTicks &&
                   (atLeast is null || committed.Snapshot.Record.Clock.Covers(atLeast))
                ? committed.Snapshot
                : null;
        }

        private sealed record Committed(RecordSnapshot Snapshot, long At);
    }
}
