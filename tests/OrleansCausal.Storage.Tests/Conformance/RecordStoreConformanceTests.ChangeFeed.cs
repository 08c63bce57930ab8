using OrleansCausal.Core;

namespace OrleansCausal.Storage.Tests.Conformance;

public abstract partial class RecordStoreConformanceTests
{
    [Fact]
    public async Task ReadChanges_ListsLocalBinsInWriteOrderAndResumesFromCheckpoint()
    {
        var (store, _) = await NewStoreAsync(RegionA);
        var written = new List<StoreWriteResult>();
        for (var i = 0; i < 10; i++)
        {
            written.Add(await PutAsync(store, Key($"k{i % 3}"), $"{i}"));
        }

        Assert.Equal(0, await store.GetCheckpointAsync("peer-B", Ct));
        var firstPage = await store.ReadChangesAsync(0, 4, Ct);
        AssertFeedMatches(written.Take(4), firstPage);
        await store.SaveCheckpointAsync("peer-B", firstPage[^1].Sequence, Ct);

        var resumeAt = await store.GetCheckpointAsync("peer-B", Ct);
        var rest = await store.ReadChangesAsync(resumeAt, 100, Ct);

        Assert.Equal(firstPage[^1].Sequence, resumeAt);
        AssertFeedMatches(written.Skip(4), rest);
        Assert.Equal(written[^1].Sequence, await store.GetLastSequenceAsync(Ct));
        Assert.Empty(await store.ReadChangesAsync(written[^1].Sequence, 100, Ct));
    }

    [Fact]
    public async Task ReadChanges_WhenEmpty_ReturnsNothingAndLastSequenceZero()
    {
        var (store, _) = await NewStoreAsync(RegionA);

        Assert.Empty(await store.ReadChangesAsync(0, 10, Ct));
        Assert.Equal(0, await store.GetLastSequenceAsync(Ct));
    }

    [Fact]
    public async Task Merge_NeverAppendsRemoteBinsToChangeFeed()
    {
        var (a, _) = await NewStoreAsync(RegionA);
        var (b, _) = await NewStoreAsync(RegionB);
        await PutAsync(b, Key("k"), "1");
        await PutAsync(b, Key("m"), "2");
        var own = await PutAsync(a, Key("k"), "3");

        var merged = await a.MergeAsync([.. (await b.ReadChangesAsync(0, 10, Ct)).Select(c => new KeyedBin(c.Key, c.Bin))], null, Ct);

        Assert.Equal(2, merged.Added);
        var feed = await a.ReadChangesAsync(0, 10, Ct);
        Assert.Equal([own.Written.Dot], feed.Select(c => c.Bin.Dot).ToArray());
        Assert.Equal(own.Sequence, await a.GetLastSequenceAsync(Ct));
    }

    [Fact]
    public async Task Reopen_KeepsRecordsChangeFeedCheckpointsInboundPositionsAndReplica()
    {
        var (store, location) = await NewStoreAsync(RegionA);
        var (peer, _) = await NewStoreAsync(RegionB);
        var written = await PutAsync(store, Key("k"), "1");
        await PutAsync(peer, Key("k"), "2");
        await ReplicateAsync(peer, store);
        await store.SaveCheckpointAsync("peer-B", 7, Ct);
        await store.SaveCheckpointAsync("peer-C", 3, Ct);
        await store.SaveCheckpointAsync("peer-B", 9, Ct);
        var replica = store.Replica;
        var record = await store.ReadAsync(Key("k"), Ct);
        await CloseAsync(store);

        var reopened = await OpenStoreAsync(location, RegionA);

        Assert.Equal(replica, reopened.Replica);
        Assert.Equal(9, await reopened.GetCheckpointAsync("peer-B", Ct));
        Assert.Equal(3, await reopened.GetCheckpointAsync("peer-C", Ct));
        Assert.Equal(1, await reopened.GetInboundPositionAsync(peer.Replica.ToString(), Ct));
        Assert.Equal(record, await reopened.ReadAsync(Key("k"), Ct));
        AssertFeedMatches([written], await reopened.ReadChangesAsync(0, 10, Ct));
        var next = await PutAsync(reopened, Key("k"), "3");
        Assert.Equal(new Dot(replica, 2), next.Written.Dot);
        Assert.Equal(written.Sequence + 1, next.Sequence);
    }

    [Fact]
    public async Task Open_WhenLocationWasDestroyedAndRecreated_IssuesDotsUnderNewEpoch()
    {
        var (store, location) = await NewStoreAsync(RegionA);
        var old = store.Replica;
        var before = await PutAsync(store, Key("k"), "1");
        await CloseAsync(store);
        await DestroyLocationAsync(location, Ct);

        var recreated = await OpenStoreAsync(location, RegionA);
        var after = await PutAsync(recreated, Key("k"), "2");

        Assert.Equal(RegionA, recreated.Replica.Region);
        Assert.NotEqual(old.Epoch, recreated.Replica.Epoch);
        Assert.NotEqual(before.Written.Dot, after.Written.Dot);
        Assert.Equal(new Dot(recreated.Replica, 1), after.Written.Dot);
    }

    [Fact]
    public async Task Open_WhenStoreWasCreatedForAnotherRegion_RefusesWithClearMessage()
    {
        var (store, location) = await NewStoreAsync(RegionId.Parse("eu-west"));
        await PutAsync(store, Key("k"), "1");
        await CloseAsync(store);

        var wrong = CreateStore(location, RegionId.Parse("us-east"));
        try
        {
            var error = await Assert.ThrowsAsync<RecordStoreException>(() => wrong.OpenAsync(Ct));
            Assert.Contains("eu-west", error.Message, StringComparison.Ordinal);
            Assert.Contains("us-east", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            await wrong.DisposeAsync();
        }

        var right = await OpenStoreAsync(location, RegionId.Parse("eu-west"));
        Assert.True((await right.ReadAsync(Key("k"), Ct)).HasLiveValue, "the refused open must not have changed the store");
    }

    private static void AssertFeedMatches(IEnumerable<StoreWriteResult> written, IReadOnlyList<ChangeEntry> feed)
    {
        var expected = written.Select(w => (w.Sequence, w.Written.Dot)).ToArray();
        var actual = feed.Select(c => (c.Sequence, c.Bin.Dot)).ToArray();
        Assert.True(expected.SequenceEqual(actual), $"feed [{string.Join(", ", actual)}] != written [{string.Join(", ", expected)}]");
        for (var i = 1; i < feed.Count; i++)
        {
            Assert.True(feed[i].Sequence == feed[i - 1].Sequence + 1, $"gap in the change feed between {feed[i - 1].Sequence} and {feed[i].Sequence}");
        }

        foreach (var entry in feed)
        {
            Assert.Equal(written.Single(w => w.Sequence == entry.Sequence).Written, entry.Bin);
        }
    }
}
