using Microsoft.Extensions.Logging;
using OrleansCausal.Replication.Hosting;
using OrleansCausal.Storage;

namespace OrleansCausal.Replication.Outbound;

/// <summary>
/// Reads the change feed for one peer: the contiguous run of entries after a position, one page at a time. While a
/// backlog drains (the last page was full) it reads the next page while the previous batch is on the wire
/// (<see cref="Prefetch"/>). A hole (the next sequence not visible yet: a provider that is not gap-free, or a feed
/// pruned while the peer was behind) is waited on for <see cref="ReplicationOptions.FeedHoleTimeout"/>, then reported
/// (<see cref="FeedPage.MissingThrough"/>): the peer can only be repaired by a full resend.
/// </summary>
public sealed class FeedReader(string peer, IRecordStore store, ReplicationOptions options, TimeProvider time, ILogger logger)
{
    private Task<IReadOnlyList<ChangeEntry>>? _prefetch;
    private long _prefetchAfter = -1;
    private bool _catchingUp;
    private DateTimeOffset? _holeSeenAt;

    private int PageSize => _catchingUp ? Math.Max(options.CatchUpBatchSize, options.BatchSize) : options.BatchSize;

    /// <summary>The entries to ship after <paramref name="after"/>, in sequence order and gap-free: empty when the
    /// feed holds nothing more; null while a hole is being waited on (ask again shortly).</summary>
    public async Task<FeedPage?> ReadAsync(long after, CancellationToken cancellationToken)
    {
        var pageSize = PageSize;
        var entries = await PageAsync(after, pageSize, cancellationToken);
        _catchingUp = entries.Count >= pageSize;
        if (entries.Count == 0)
        {
            return new FeedPage(entries, null);
        }

        var contiguous = ContiguousPrefix(entries, after);
        if (contiguous == 0)
        {
            _holeSeenAt ??= time.GetUtcNow();
            if (time.GetUtcNow() - _holeSeenAt < options.FeedHoleTimeout)
            {
                return null;
            }

            Log.LogWarningFeedHole(logger, peer, after, entries[0].Sequence);
            _holeSeenAt = null;
            Reset();
            return new FeedPage([], entries[0].Sequence - 1);
        }

        _holeSeenAt = null;
        return new FeedPage(contiguous == entries.Count ? entries : entries.Take(contiguous).ToList(), null);
    }

    /// <summary>While catching up, starts reading the page after <paramref name="through"/> (picked up by the next
    /// <see cref="ReadAsync"/> for that position).</summary>
    public void Prefetch(long through, CancellationToken cancellationToken)
    {
        if (_catchingUp)
        {
            Forget();
            _prefetchAfter = through;
            _prefetch = store.ReadChangesAsync(through, PageSize, cancellationToken);
        }
    }

    /// <summary>Drops any prefetched page and leaves catch-up mode (after a rewind).</summary>
    public void Reset()
    {
        Forget();
        _catchingUp = false;
    }

    private Task<IReadOnlyList<ChangeEntry>> PageAsync(long after, int pageSize, CancellationToken cancellationToken)
    {
        var prefetched = _prefetch;
        _prefetch = null;
        if (prefetched is not null && _prefetchAfter == after)
        {
            return prefetched;
        }

        prefetched?.ContinueWith(static t => _ = t.Exception, TaskScheduler.Default);
        return store.ReadChangesAsync(after, pageSize, cancellationToken);
    }

    private void Forget()
    {
        _prefetch?.ContinueWith(static t => _ = t.Exception, TaskScheduler.Default);
        _prefetch = null;
    }

    private static int ContiguousPrefix(IReadOnlyList<ChangeEntry> entries, long after)
    {
        var expected = after + 1;
        var count = 0;
        foreach (var entry in entries)
        {
            if (entry.Sequence != expected)
            {
                break;
            }

            count++;
            expected++;
        }

        return count;
    }
}

/// <summary>What the feed holds after a position: <see cref="Entries"/> to ship, or, when sequences up to
/// <see cref="MissingThrough"/> are gone for good (pruned), nothing and that sequence.</summary>
public sealed record FeedPage(IReadOnlyList<ChangeEntry> Entries, long? MissingThrough);
