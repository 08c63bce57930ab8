using OrleansCausal.Storage;

namespace OrleansCausal.Runtime.Storage;

/// <summary>
/// The store's figures for <c>/v1/status</c>, counted at most once per <see cref="MaxAge"/>. Counting scans the record,
/// bin and change-feed tables, so a status page or a monitor polling every second would keep a reader busy scanning a
/// large store; instead, callers within <see cref="MaxAge"/> of the last count share it, and concurrent callers wait
/// for one count rather than starting their own. The figures say when they were counted.
/// </summary>
public sealed class StorageFiguresCache(IRecordStore store, TimeProvider time)
{
    public static readonly TimeSpan MaxAge = TimeSpan.FromSeconds(10);

    private readonly SemaphoreSlim _counting = new(1, 1);
    private Counted? _last;

    /// <summary>The figures, counted no earlier than <see cref="MaxAge"/> ago and no earlier than
    /// <paramref name="notBefore"/> (a change the caller knows of, such as a garbage-collection round).</summary>
    public async Task<Counted> GetAsync(DateTimeOffset? notBefore, CancellationToken cancellationToken)
    {
        if (Fresh(notBefore) is { } cached)
        {
            return cached;
        }

        await _counting.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (Fresh(notBefore) is { } countedMeanwhile)
            {
                return countedMeanwhile;
            }

            var at = time.GetUtcNow();
            var counted = new Counted(await store.GetStorageFiguresAsync(cancellationToken).ConfigureAwait(false), at);
            Volatile.Write(ref _last, counted);
            return counted;
        }
        finally
        {
            _counting.Release();
        }
    }

    private Counted? Fresh(DateTimeOffset? notBefore) =>
        Volatile.Read(ref _last) is { } last && time.GetUtcNow() - last.At < MaxAge && (notBefore is null || last.At >= notBefore)
            ? last
            : null;

    /// <summary>Figures and when their count started.</summary>
    public sealed record Counted(StorageFigures Figures, DateTimeOffset At);
}
