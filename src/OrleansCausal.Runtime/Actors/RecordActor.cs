using OrleansCausal.Core;
using OrleansCausal.Storage;

namespace OrleansCausal.Runtime.Actors;

/// <summary>
/// The grain of one record on this silo: it caches the record and serializes this silo's writes to it. The cache is
/// an optimisation only — every write goes to the store, whose per-record operations are atomic — and it is dropped
/// whenever the store reports a change to the record (a write by any silo, a merged remote bin), except that a write
/// keeps its own result when the only notice that arrived while it ran was its own (see <see cref="PutAsync"/>).
/// </summary>
public sealed class RecordActor
{
    private readonly IRecordStore _store;
    private readonly TimeProvider _time;
    private readonly long _maxCacheAgeTicks;
    private readonly SemaphoreSlim _gate = new(1, 1);

    // Guards _cached and _notices together, so a notice can never fall between "compare the counter" and "fill the
    // cache". Held only for a few instructions and never across an await (a notice is raised on the store's thread
    // while a put of this actor awaits the store, so it must never wait for _gate).
    private readonly Lock _cacheSync = new();
    private Cached? _cached;
    private long _notices;

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

            var notices = NoticesSoFar();
            var readAt = _time.GetTimestamp();
            var record = await _store.ReadAsync(Key, cancellationToken).ConfigureAwait(false);

            // A notice during the read may be for a change the read missed: keep the record only if none arrived.
            Fill(record, readAt, notices, expectedNotices: 0);
            return record;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Writes through the store, one write of this silo at a time for this record, and keeps the committed
    /// record in the cache when no other change can have slipped in.</summary>
    /// <remarks>
    /// Why caching the result is safe when exactly one notice arrived between enqueueing the put and getting its result:
    /// <list type="number">
    /// <item>The result is the record as committed by this put's transaction, i.e. exactly what a store read at the
    /// put's commit would return. Every change committed before that point is in it (per-record atomicity: the store
    /// applies the put to the record as it stands, including another silo's write or a merge that committed first,
    /// even in the same batch). So the result is as fresh as a read-filled cache would be; the only danger is a
    /// change committed after it.</item>
    /// <item>The store raises one notice per committed put, merge or remote write per key, after the commit, and
    /// raises a put's own notice before completing the put (IRecordStore contract; SQLite and PostgreSQL raise all
    /// notices of a batch, then complete its callers; the in-memory store raises before returning). Every put to this
    /// key from this silo goes through this actor and holds <see cref="_gate"/>, so no other put of ours can share
    /// the notice. Hence, when the result arrives, our own notice has been counted: the counter has advanced by at
    /// least one, and by exactly one only if no other notice arrived while the put ran.</item>
    /// <item>A change committed after our put — a merge later in the same group-commit batch, a merge or another
    /// silo's write in the next batch — raises its notice after its own commit. Either it arrives before we compare
    /// (counter advanced by two or more: drop the cache as before), or after we filled the cache, in which case
    /// <see cref="Invalidate"/> drops it. Compare-and-fill and invalidate run under <see cref="_cacheSync"/>, so
    /// there is no third order. A late PostgreSQL notice (LISTEN lag) behaves exactly like a late notice after a
    /// read-filled cache: stale until it arrives or <c>Actors:MaxCacheAge</c>, and never for a caller whose context
    /// the cache does not cover.</item>
    /// <item>Extra notices only make us drop the cache (a change committed before the put whose notice arrives
    /// during it; a merge earlier in the same batch). A store that raised no notice for the put leaves the counter
    /// unchanged, which is not "exactly one": the cache is dropped too. The error paths never fill the cache.</item>
    /// </list>
    /// </remarks>
    public async Task<StoreWriteResult> PutAsync(PutRequest request, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var notices = NoticesSoFar();
            var startedAt = _time.GetTimestamp();
            var result = await _store.PutAsync(request, cancellationToken).ConfigureAwait(false);
            Fill(result.Record, startedAt, notices, expectedNotices: 1);
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

    /// <summary>The store reported a change: count it and drop the cache so the next read refreshes it.</summary>
    internal void Invalidate()
    {
        lock (_cacheSync)
        {
            _notices++;
            Volatile.Write(ref _cached, null);
        }
    }

    private long NoticesSoFar()
    {
        lock (_cacheSync)
        {
            return _notices;
        }
    }

    /// <summary>Caches <paramref name="record"/> when exactly <paramref name="expectedNotices"/> notices arrived since
    /// <paramref name="noticesBefore"/> was read; otherwise drops the cache.</summary>
    private void Fill(CausalRecord record, long at, long noticesBefore, long expectedNotices)
    {
        lock (_cacheSync)
        {
            Volatile.Write(ref _cached, _notices - noticesBefore == expectedNotices ? new Cached(record, at) : null);
        }
    }
}
