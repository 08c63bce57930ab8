using Microsoft.Extensions.Time.Testing;
using OrleansCausal.Core;
using OrleansCausal.Runtime.Storage;
using OrleansCausal.Runtime.Tests.Support;
using OrleansCausal.Storage;
using OrleansCausal.Tests.Shared;

namespace OrleansCausal.Runtime.Tests.Storage;

/// <summary>The status endpoint's storage figures are counted at most once per <see cref="StorageFiguresCache.MaxAge"/>,
/// once for concurrent callers, and never before a change the caller names (a garbage-collection round).</summary>
public sealed class StorageFiguresCacheTests
{
    private static readonly CancellationToken Ct = CancellationToken.None;

    [Fact]
    public async Task Figures_WithinMaxAge_AreCountedOnce_AndRecountedAfterIt()
    {
        var (store, time, cache) = await CreateAsync();
        await WriteAsync(store, "a");

        var first = await cache.GetAsync(notBefore: null, Ct);
        await WriteAsync(store, "b");
        time.Advance(StorageFiguresCache.MaxAge - TimeSpan.FromMilliseconds(1));
        var cached = await cache.GetAsync(notBefore: null, Ct);
        Assert.Equal(1, store.Counts);
        Assert.Same(first, cached);
        Assert.Equal(1, cached.Figures.Records);

        time.Advance(TimeSpan.FromMilliseconds(1));
        var recounted = await cache.GetAsync(notBefore: null, Ct);
        Assert.Equal(2, store.Counts);
        Assert.Equal(2, recounted.Figures.Records);
        Assert.Equal(time.GetUtcNow(), recounted.At);
    }

    [Fact]
    public async Task Figures_OlderThanTheCallersChange_AreRecounted()
    {
        var (store, time, cache) = await CreateAsync();
        await cache.GetAsync(notBefore: null, Ct);
        time.Advance(TimeSpan.FromSeconds(1));
        await WriteAsync(store, "a");

        var afterRound = await cache.GetAsync(notBefore: time.GetUtcNow(), Ct);

        Assert.Equal(2, store.Counts);
        Assert.Equal(1, afterRound.Figures.Records);
    }

    [Fact]
    public async Task ConcurrentCallers_WhileCounting_ShareOneCount()
    {
        var (store, _, cache) = await CreateAsync();
        store.Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var callers = Enumerable.Range(0, 8).Select(_ => Task.Run(() => cache.GetAsync(notBefore: null, Ct))).ToArray();
        await store.Started.Task;
        store.Gate.SetResult();
        var results = await Task.WhenAll(callers);

        Assert.Equal(1, store.Counts);
        Assert.All(results, r => Assert.Same(results[0], r));
    }

    private static async Task<(CountingStore Store, FakeTimeProvider Time, StorageFiguresCache Cache)> CreateAsync()
    {
        var store = new CountingStore(await InMemoryStores.OpenAsync());
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-12-02T07:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        return (store, time, new StorageFiguresCache(store, time));
    }

    private static Task WriteAsync(IRecordStore store, string key) =>
        store.PutAsync(new PutRequest(new RecordKey("default", key), "1", VersionVector.Empty), Ct);

    /// <summary>Counts the figure counts; with <see cref="Gate"/> set, a count waits for it.</summary>
    private sealed class CountingStore(IRecordStore inner) : ForwardingRecordStore(inner)
    {
        private int _counts;

        public int Counts => Volatile.Read(ref _counts);

        public TaskCompletionSource? Gate { get; set; }

        public TaskCompletionSource Started { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public override event EventHandler<RecordChangedEventArgs>? RecordChanged
        {
            add => Inner.RecordChanged += value;
            remove => Inner.RecordChanged -= value;
        }

        public override async Task<StorageFigures> GetStorageFiguresAsync(CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _counts);
            Started.TrySetResult();
            if (Gate is { } gate)
            {
                await gate.Task;
            }

            return await Inner.GetStorageFiguresAsync(cancellationToken);
        }
    }
}
