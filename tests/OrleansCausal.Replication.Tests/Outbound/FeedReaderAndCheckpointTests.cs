using Microsoft.Extensions.Logging.Abstractions;
using OrleansCausal.Core;
using OrleansCausal.Replication.Hosting;
using OrleansCausal.Replication.Outbound;
using OrleansCausal.Replication.Tests.TestCluster;
using OrleansCausal.Runtime.Storage;
using OrleansCausal.Storage;

namespace OrleansCausal.Replication.Tests.Outbound;

/// <summary>The shipper's parts on their own, over an in-memory store.</summary>
public sealed class FeedReaderAndCheckpointTests
{
    private static readonly CancellationToken Ct = CancellationToken.None;

    private static async Task<InMemoryRecordStore> StoreWithWritesAsync(int writes)
    {
        var store = new InMemoryRecordStore(RegionId.Parse("A"));
        await store.OpenAsync(Ct);
        for (var i = 0; i < writes; i++)
        {
            await store.PutAsync(new PutRequest(new RecordKey("n", $"k{i}"), $"{i}", VersionVector.Empty), Ct);
        }

        return store;
    }

    [Fact]
    public async Task FeedReader_WhenPageIsFull_PrefetchesTheNextPageAndServesItInOrder()
    {
        var store = await StoreWithWritesAsync(7);
        var reader = new FeedReader("B", store, new ReplicationOptions { BatchSize = 3, CatchUpBatchSize = 3 }, TimeProvider.System, NullLogger.Instance);

        var first = await reader.ReadAsync(0, Ct);
        reader.Prefetch(3, Ct);
        var second = await reader.ReadAsync(3, Ct);
        reader.Prefetch(6, Ct);
        var third = await reader.ReadAsync(6, Ct);

        Assert.Equal([1L, 2, 3], first!.Entries.Select(e => e.Sequence));
        Assert.Equal([4L, 5, 6], second!.Entries.Select(e => e.Sequence));
        Assert.Equal([7L], third!.Entries.Select(e => e.Sequence));
        Assert.Empty((await reader.ReadAsync(7, Ct))!.Entries);
    }

    [Fact]
    public async Task FeedReader_WhenSequencesArePruned_WaitsThenReportsWhatIsMissing()
    {
        var store = new DecoratedStore(await StoreWithWritesAsync(6)) { PrunedThrough = 4 };
        var reader = new FeedReader("B", store, new ReplicationOptions { FeedHoleTimeout = TimeSpan.FromMilliseconds(50) }, TimeProvider.System, NullLogger.Instance);

        Assert.Null(await reader.ReadAsync(1, Ct));
        await Task.Delay(100);
        var page = await reader.ReadAsync(1, Ct);

        Assert.NotNull(page);
        Assert.Empty(page.Entries);
        Assert.Equal(4, page.MissingThrough);
    }

    [Fact]
    public async Task CheckpointWriter_AdvancesInOrderAndRewindIsNotUndoneByAnEarlierSave()
    {
        var store = await StoreWithWritesAsync(0);
        var writer = new CheckpointWriter(store, "peer:B");

        for (var through = 1; through <= 50; through++)
        {
            writer.Advance(through, Ct);
        }

        await writer.RewindAsync(20, Ct);
        await writer.FlushAsync(Ct);

        Assert.Equal(20, writer.Acknowledged);
        Assert.Equal(20, await store.GetCheckpointAsync("peer:B", Ct));
        writer.Advance(21, Ct);
        await writer.FlushAsync(Ct);
        Assert.Equal(21, await store.GetCheckpointAsync("peer:B", Ct));
    }
}
