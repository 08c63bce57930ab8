using OrleansCausal.Core;
using OrleansCausal.Storage;

namespace OrleansCausal.Runtime.Actors;

/// <summary>
/// The grain of one record on this silo: it caches the record and serializes this silo's writes to it. The cache is
/// an optimisation only — every write goes to the store, whose per-record operations are atomic — and it is dropped
/// whenever the store reports a change to the record (a write by any silo, a merged remote bin).
/// </summary>
public sealed class RecordActor
{
    private readonly IRecordStore _store;
    private readonly TimeProvider _time;
    private readonly long _maxCacheAgeTicks;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private Cached? _cached;
    private long _generation;

    internal RecordActor(RecordKey key, IRecordStore store, TimeProvider time, TimeSpan maxCacheAge)
    {
        Key = key;
        _store = store;
        _time = time;
        _maxCacheAgeTicks = (long)(maxCacheAge.TotalSeconds * time.TimestampFrequency);
    }

    public RecordKey Key { get; }

    /// <summary>Requests inside this actor now; an actor with requests in flight is never deactivated.</summary>
    internal int InFlight { get; set; }

    internal long LastUsed { get; set; }

    internal LinkedListNode<RecordActor>? Node { get; set; }

    /// <summary>True while the cache holds a record (for tests and diagnostics).</summary>
    public bool IsCached => Volatile.Read(ref _cached) is not null;

    private sealed record Cached(CausalRecord Record, long At);

    /// <summary>The record, from the cache when the cache covers <paramref name="atLeast"/> (the caller's session
    /// context), otherwise fresh from the store.</summary>
    public async Task<CausalRecord> ReadAsync(VersionVector? atLeast, CancellationToken cancellationToken)
    {
        if (Usable(Volatile.Read(ref _cached), atLeast) is { } hit)
        {
            return hit;
        }

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (Usable(_cached, atLeast) is { } again)
            {
                return again;
            }

            var generation = Interlocked.Read(ref _generation);
            var readAt = _time.GetTimestamp();
            var record = await _store.ReadAsync(Key, cancellationToken).ConfigureAwait(false);
            if (Interlocked.Read(ref _generation) == generation)
            {
                Volatile.Write(ref _cached, new Cached(record, readAt));
            }

            return record;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Writes through the store, one write of this silo at a time for this record.</summary>
    public async Task<StoreWriteResult> PutAsync(PutRequest request, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var generation = Interlocked.Read(ref _generation);
            var startedAt = _time.GetTimestamp();
            var result = await _store.PutAsync(request, cancellationToken).ConfigureAwait(false);

            // The result is the committed record right after this write. Keep it only if no change notice arrived
            // meanwhile: a notice may be this write's own, or another silo's or a merge's, and they look alike.
            if (Interlocked.Read(ref _generation) == generation)
            {
                Volatile.Write(ref _cached, new Cached(result.Record, startedAt));
            }
            else
            {
                Volatile.Write(ref _cached, null);
            }

            return result;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>The cached record when it is young enough and covers <paramref name="atLeast"/>; otherwise null.</summary>
    private CausalRecord? Usable(Cached? cached, VersionVector? atLeast) =>
        cached is not null &&
        _time.GetTimestamp() - cached.At <= _maxCacheAgeTicks &&
        (atLeast is null || cached.Record.Clock.Covers(atLeast))
            ? cached.Record
            : null;

    /// <summary>The store reported a change: drop the cache so the next read refreshes it.</summary>
    internal void Invalidate()
    {
        Interlocked.Increment(ref _generation);
        Volatile.Write(ref _cached, null);
    }
}
