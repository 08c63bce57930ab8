using Microsoft.Extensions.Logging.Abstractions;
using OrleansCausal.Core;
using OrleansCausal.Replication.Hosting;
using OrleansCausal.Replication.Outbound;
using OrleansCausal.Runtime.Storage;
using OrleansCausal.Storage;

namespace OrleansCausal.Replication.Tests.Outbound;

/// <summary>The in-memory store's compaction and purge (the durable stores pass the conformance suite), and what a
/// shipper behind the compaction point sees: a hole, which it repairs by a full resend.</summary>
public sealed class CompactedFeedTests
{
    private static readonly CancellationToken Ct = CancellationToken.None;

    [Fact]
    public async Task FeedReader_WhenThePeerIsBehindTheCompactionPoint_ReportsTheHoleAndNeverShipsPastIt()
    {
        var store = new InMemoryRecordStore(RegionId.Parse("A"));
        await store.OpenAsync(Ct);
        for (var i = 0; i < 6; i++)
        {
            await store.PutAsync(new PutRequest(new RecordKey("n", $"k{i}"), $"{i}", VersionVector.Empty), Ct);
        }

        Assert.Equal(4, await store.CompactFeedAsync(4, Ct));
        Assert.Equal(6, await store.GetLastSequenceAsync(Ct));
        var reader = new FeedReader("B", store, new ReplicationOptions { FeedHoleTimeout = TimeSpan.Zero }, TimeProvider.System, NullLogger.Instance);

        var page = await reader.ReadAsync(2, Ct);

        Assert.Equal(4, page!.MissingThrough);
        Assert.Empty(page.Entries);
        Assert.Equal([5L, 6L], (await reader.ReadAsync(4, Ct))!.Entries.Select(e => e.Sequence));
    }

    [Fact]
    public async Task PurgeAsync_OnTheInMemoryStore_DropsTombstonesAndKeepsTheClock()
    {
        var store = new InMemoryRecordStore(RegionId.Parse("A"));
        await store.OpenAsync(Ct);
        var key = new RecordKey("n", "k");
        var written = await store.PutAsync(new PutRequest(key, "1", VersionVector.Empty), Ct);
        var deleted = await store.PutAsync(new PutRequest(key, null, written.Record.Context), Ct);

        Assert.Equal([key], await store.PurgeAsync([new PurgeCandidate(key, deleted.Record)], Ct));

        var stored = await store.LoadAsync(key, Ct);
        Assert.Empty(stored.Record.Bins);
        Assert.Equal(deleted.Record.Clock, stored.Record.Clock);
        Assert.Equal(deleted.Version + 1, stored.Version);
        Assert.Equal(new StorageFigures(0, 0, 2, null), await store.GetStorageFiguresAsync(Ct));
        var late = await store.PutAsync(new PutRequest(key, "2", written.Record.Context), Ct);
        Assert.True(late.Written.Dot.Counter > deleted.Written.Dot.Counter, $"Dot {late.Written.Dot} reissued after the purge.");
    }
}
