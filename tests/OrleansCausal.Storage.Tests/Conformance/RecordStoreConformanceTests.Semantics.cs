using OrleansCausal.Core;

namespace OrleansCausal.Storage.Tests.Conformance;

public abstract partial class RecordStoreConformanceTests
{
    [Fact]
    public async Task Read_WhenNeverWritten_ReturnsEmptyRecord()
    {
        var (store, _) = await NewStoreAsync(RegionA);

        var record = await store.ReadAsync(Key("never"), Ct);

        Assert.Empty(record.Bins);
        Assert.True(record.Clock.IsEmpty, $"clock of an unwritten record: {record.Clock}");
        Assert.False(record.HasLiveValue);
    }

    [Fact]
    public async Task Put_WhenBlind_AddsSiblingWithNextDot()
    {
        var (store, _) = await NewStoreAsync(RegionA);
        var r = store.Replica;

        var first = await PutAsync(store, Key("12"), "\"12F\"");
        var second = await PutAsync(store, Key("12"), "\"10D\"");

        Assert.Equal(new Dot(r, 1), first.Written.Dot);
        Assert.Equal(new Dot(r, 2), second.Written.Dot);
        var record = await store.ReadAsync(Key("12"), Ct);
        AssertBins(record, (new Dot(r, 1), "\"12F\""), (new Dot(r, 2), "\"10D\""));
        Assert.Equal(Vector((r, 2)), record.Clock);
        Assert.Equal(record, second.Record);
        Assert.Equal(0, second.Pruned);
    }

    [Fact]
    public async Task Put_WithContext_DropsCoveredBinsOnly()
    {
        var (store, _) = await NewStoreAsync(RegionA);
        var r = store.Replica;
        await PutAsync(store, Key("k"), "1");
        await PutAsync(store, Key("k"), "2");

        var result = await PutAsync(store, Key("k"), "3", Vector((r, 1)));

        Assert.Equal(new Dot(r, 3), result.Written.Dot);
        Assert.Equal(Vector((r, 1)), result.Written.Context);
        AssertBins(await store.ReadAsync(Key("k"), Ct), (new Dot(r, 2), "2"), (new Dot(r, 3), "3"));
    }

    [Fact]
    public async Task Put_ReturnsRecordAndSequenceThatReadsConfirm()
    {
        var (store, _) = await NewStoreAsync(RegionA);

        var first = await PutAsync(store, Key("a"), "1");
        var second = await PutAsync(store, Key("b"), "2");

        Assert.Equal(first.Record, await store.ReadAsync(Key("a"), Ct));
        Assert.Equal(second.Record, await store.ReadAsync(Key("b"), Ct));
        Assert.True(second.Sequence == first.Sequence + 1, $"sequences {first.Sequence}, {second.Sequence} are not consecutive");
        Assert.Equal(second.Sequence, await store.GetLastSequenceAsync(Ct));
    }

    [Fact]
    public async Task Delete_WithContext_ReadsNotFoundKeepsContextAndLaterPutSupersedesTombstone()
    {
        var (store, _) = await NewStoreAsync(RegionA);
        var r = store.Replica;
        var written = await PutAsync(store, Key("k"), "\"x\"");

        var deleted = await PutAsync(store, Key("k"), null, written.Record.Context);

        var afterDelete = await store.ReadAsync(Key("k"), Ct);
        Assert.False(afterDelete.HasLiveValue, $"after delete: {Describe(afterDelete)}");
        Assert.Empty(afterDelete.Siblings);
        AssertBins(afterDelete, (new Dot(r, 2), null));
        Assert.Equal(Vector((r, 2)), afterDelete.Context);
        Assert.True(deleted.Written.IsTombstone);

        await PutAsync(store, Key("k"), "\"y\"", afterDelete.Context);

        var afterPut = await store.ReadAsync(Key("k"), Ct);
        AssertBins(afterPut, (new Dot(r, 3), "\"y\""));
        Assert.True(afterPut.HasLiveValue);
    }

    [Fact]
    public async Task Put_WithOverride_SupersedesEverythingStoredNow()
    {
        var (store, _) = await NewStoreAsync(RegionA);
        var (other, _) = await NewStoreAsync(RegionB);
        var r = store.Replica;
        await PutAsync(store, Key("k"), "1");
        await PutAsync(other, Key("k"), "2");
        await ReplicateAsync(other, store);
        await PutAsync(store, Key("k"), "3");

        var result = await PutAsync(store, Key("k"), "4", overrideAll: true);

        var record = await store.ReadAsync(Key("k"), Ct);
        AssertBins(record, (new Dot(r, 3), "4"));
        Assert.Equal(Vector((r, 2), (other.Replica, 1)), result.Written.Context);
        Assert.Equal(Vector((r, 3), (other.Replica, 1)), record.Clock);
    }

    [Fact]
    public async Task Put_WhenOverSiblingCap_PrunesOldestCountsAndNeverResurrects()
    {
        var (store, _) = await NewStoreAsync(RegionA);
        var r = store.Replica;
        var results = new List<StoreWriteResult>();
        for (var i = 1; i <= 5; i++)
        {
            results.Add(await PutAsync(store, Key("k"), i.ToString(System.Globalization.CultureInfo.InvariantCulture), maxBins: 3));
        }

        Assert.Equal([0, 0, 0, 1, 1], results.Select(x => x.Pruned).ToArray());
        var record = await store.ReadAsync(Key("k"), Ct);
        AssertBins(record, (new Dot(r, 3), "3"), (new Dot(r, 4), "4"), (new Dot(r, 5), "5"));
        Assert.True(record.Clock.Covers(new Dot(r, 1)) && record.Clock.Covers(new Dot(r, 2)), $"pruned dots must stay covered: {record.Clock}");

        // A resend of the pruned bins (e.g. from a peer that still holds them) must not bring them back.
        var merge = await store.MergeAsync([new KeyedBin(Key("k"), results[0].Written), new KeyedBin(Key("k"), results[1].Written)], null, Ct);

        Assert.Equal(0, merge.Added);
        Assert.Equal(record, await store.ReadAsync(Key("k"), Ct));
    }

    [Fact]
    public async Task PutAndMerge_WhenCommitted_RaiseRecordChangedBeforeReturning()
    {
        var (store, _) = await NewStoreAsync(RegionA);
        var raised = new List<RecordChangedEventArgs>();
        store.RecordChanged += (_, e) =>
        {
            lock (raised)
            {
                raised.Add(e);
            }
        };

        await PutAsync(store, Key("k"), "1");
        var (other, _) = await NewStoreAsync(RegionB);
        await PutAsync(other, Key("m"), "2");
        await ReplicateAsync(other, store);

        lock (raised)
        {
            Assert.Contains(raised, e => e.Key == Key("k") && e.IsLocal);
            Assert.Contains(raised, e => e.Key == Key("m") && e.IsLocal);
        }
    }

    [Fact]
    public async Task Scan_ReturnsEveryRecordInKeyOrderPageByPage()
    {
        var (store, _) = await NewStoreAsync(RegionA);
        var keys = new[] { Key("b", "n1"), Key("a", "n2"), Key("a", "n1"), Key("c", "n1"), Key("b", "n2") };
        foreach (var key in keys)
        {
            await PutAsync(store, key, "1");
        }

        var seen = new List<RecordKey>();
        RecordKey? after = null;
        while (true)
        {
            var page = await store.ScanAsync(after, 2, Ct);
            Assert.True(page.Count <= 2, $"page of {page.Count} exceeds maxCount 2");
            if (page.Count == 0)
            {
                break;
            }

            foreach (var (key, record) in page)
            {
                Assert.Equal(await store.ReadAsync(key, Ct), record);
                seen.Add(key);
            }

            after = page[^1].Key;
        }

        var expected = keys.OrderBy(k => k.Namespace, StringComparer.Ordinal).ThenBy(k => k.Key, StringComparer.Ordinal).ToArray();
        Assert.Equal(expected, seen.ToArray());
    }
}
