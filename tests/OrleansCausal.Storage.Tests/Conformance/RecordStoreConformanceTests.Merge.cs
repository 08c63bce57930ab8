using OrleansCausal.Core;

namespace OrleansCausal.Storage.Tests.Conformance;

public abstract partial class RecordStoreConformanceTests
{
    [Fact]
    public async Task Merge_WhenBinsAreNew_AddsThemReportsChangedKeysAndSavesPosition()
    {
        var (a, _) = await NewStoreAsync(RegionA);
        var (b, _) = await NewStoreAsync(RegionB);
        var k1 = await PutAsync(b, Key("k1"), "1");
        var k2 = await PutAsync(b, Key("k2"), "2");
        var local = await PutAsync(a, Key("k1"), "3");

        var result = await a.MergeAsync([new KeyedBin(Key("k1"), k1.Written), new KeyedBin(Key("k2"), k2.Written)], new InboundPosition("B", 2), Ct);

        Assert.Equal(2, result.Added);
        Assert.Equal([Key("k1"), Key("k2")], result.ChangedKeys.OrderBy(k => k.Key, StringComparer.Ordinal).ToArray());
        AssertBins(await a.ReadAsync(Key("k1"), Ct), new[] { (local.Written.Dot, (string?)"3"), (k1.Written.Dot, "1") }.OrderBy(x => x.Item1).ToArray());
        AssertBins(await a.ReadAsync(Key("k2"), Ct), (k2.Written.Dot, "2"));
        Assert.Equal(2, await a.GetInboundPositionAsync("B", Ct));
        Assert.Equal(0, await a.GetInboundPositionAsync("C", Ct));
    }

    [Fact]
    public async Task Merge_WhenItsInboundPositionIsBelowTheSavedOne_KeepsTheSavedOne()
    {
        // Two silos of a region applying one source, or a late duplicate batch: a merge that saves a lower position must
        // not undo what another merge recorded (receivers treat any position they read or saved as a lower bound).
        var (a, _) = await NewStoreAsync(RegionA);
        var (b, _) = await NewStoreAsync(RegionB);
        var first = await PutAsync(b, Key("k1"), "1");
        var second = await PutAsync(b, Key("k2"), "2");
        await a.MergeAsync([new KeyedBin(Key("k1"), first.Written), new KeyedBin(Key("k2"), second.Written)], new InboundPosition("B", 2), Ct);

        var stale = await a.MergeAsync([new KeyedBin(Key("k1"), first.Written)], new InboundPosition("B", 1), Ct);
        await a.MergeAsync([], new InboundPosition("B", 0), Ct);

        Assert.Equal(0, stale.Added);
        Assert.Equal(2, await a.GetInboundPositionAsync("B", Ct));
        await a.MergeAsync([], new InboundPosition("B", 3), Ct);
        Assert.Equal(3, await a.GetInboundPositionAsync("B", Ct));
        Assert.Equal(3, (await a.GetInboundPositionsAsync(Ct))["B"]);
    }

    [Fact]
    public async Task Merge_WhenDeliveredTwice_IsIdempotent()
    {
        var (a, _) = await NewStoreAsync(RegionA);
        var (b, _) = await NewStoreAsync(RegionB);
        var written = await PutAsync(b, Key("k"), "1");
        var batch = new[] { new KeyedBin(Key("k"), written.Written), new KeyedBin(Key("k"), written.Written) };

        var first = await a.MergeAsync(batch, null, Ct);
        var afterFirst = await a.ReadAsync(Key("k"), Ct);
        var second = await a.MergeAsync(batch, null, Ct);

        Assert.Equal(1, first.Added);
        Assert.Equal(0, second.Added);
        Assert.Empty(second.ChangedKeys);
        Assert.Equal(afterFirst, await a.ReadAsync(Key("k"), Ct));
        Assert.Equal(written.Record, afterFirst);
    }

    [Fact]
    public async Task Merge_WhenBatchCarriesOwnDotNeverIssued_RefusesWholeBatch()
    {
        var (a, _) = await NewStoreAsync(RegionA);
        var (b, _) = await NewStoreAsync(RegionB);
        await PutAsync(a, Key("k"), "1");
        var genuine = await PutAsync(b, Key("other"), "2");
        await a.MergeAsync([], new InboundPosition("B", 5), Ct);
        var before = await a.ReadAsync(Key("k"), Ct);
        var forged = new Bin(new Dot(a.Replica, 7), "\"forged\"", VersionVector.Empty, DateTimeOffset.UnixEpoch);

        var error = await Assert.ThrowsAsync<ForgedDotException>(() =>
            a.MergeAsync([new KeyedBin(Key("other"), genuine.Written), new KeyedBin(Key("k"), forged)], new InboundPosition("B", 6), Ct));

        Assert.Equal(forged.Dot, error.Dot);
        Assert.Equal(Key("k"), error.Key);
        Assert.Equal(before, await a.ReadAsync(Key("k"), Ct));
        Assert.Empty((await a.ReadAsync(Key("other"), Ct)).Bins);
        Assert.Equal(5, await a.GetInboundPositionAsync("B", Ct));
        var next = await PutAsync(a, Key("k"), "3");
        Assert.Equal(new Dot(a.Replica, 2), next.Written.Dot);
    }

    [Fact]
    public async Task Merge_WhenFullResendContainsOwnGenuineBins_AcceptsAndChangesNothing()
    {
        var (a, _) = await NewStoreAsync(RegionA);
        var (b, _) = await NewStoreAsync(RegionB);
        var first = await PutAsync(a, Key("k"), "1");
        await PutAsync(a, Key("k"), "2", first.Record.Context);
        await PutAsync(a, Key("m"), "3");
        await PutAsync(b, Key("k"), "4");
        await ReplicateAsync(b, a);
        var lastSequence = await a.GetLastSequenceAsync(Ct);
        var scan = await a.ScanAsync(null, 100, Ct);

        // Everything the store holds, sent back to it — including its own bins and the superseded A1.
        var resend = scan.SelectMany(r => r.Record.Bins.Select(bin => new KeyedBin(r.Key, bin))).Append(new KeyedBin(Key("k"), first.Written)).ToArray();
        var result = await a.MergeAsync(resend, null, Ct);

        Assert.Equal(0, result.Added);
        Assert.Empty(result.ChangedKeys);
        foreach (var (key, record) in scan)
        {
            Assert.Equal(record, await a.ReadAsync(key, Ct));
        }

        Assert.Equal(lastSequence, await a.GetLastSequenceAsync(Ct));

        // The same full resend makes a peer converge.
        await b.MergeAsync(resend, null, Ct);
        foreach (var (key, record) in scan)
        {
            Assert.Equal(record, await b.ReadAsync(key, Ct));
        }
    }
}
