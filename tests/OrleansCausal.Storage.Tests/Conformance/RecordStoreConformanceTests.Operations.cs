using OrleansCausal.Core;

namespace OrleansCausal.Storage.Tests.Conformance;

/// <summary>Operation ids (issue #16): a bin's operation id and a record's remembered operations are stored with the
/// record, survive a restart, travel in the change feed (the bin's id) and in merges (the remembered set a full
/// resend sends), and a merge that teaches a record only new remembered operations is written.</summary>
public abstract partial class RecordStoreConformanceTests
{
    [Fact]
    public async Task OperationIds_OfAConditionalWrite_AreStoredFedAndMergedWithTheRecord()
    {
        var (a, location) = await NewStoreAsync(RegionA);
        var (b, _) = await NewStoreAsync(RegionB);
        var first = CausalRecord.Empty.Put(a.Replica, "\"12F\"", VersionVector.Empty, WrittenAt, operationId: "browser-1").Record;
        var after = first.Put(a.Replica, "\"10F\"", first.Context, WrittenAt.AddSeconds(1), operationId: "browser-2").Record;

        // One put per conditional write, as the record grain writes: each new bin enters the change feed.
        await a.WriteAsync(new RecordWrite(Key("ops"), 0, CausalRecord.Empty, first), Ct);
        await a.WriteAsync(new RecordWrite(Key("ops"), 1, first, after), Ct);
        var feed = await a.ReadChangesAsync(0, 10, Ct);
        await b.MergeAsync(feed.Select(c => new KeyedBin(c.Key, c.Bin)).ToArray(), null, Ct);
        var reopened = await OpenStoreAsync(location, RegionA);

        Assert.Equal(after, (await a.LoadAsync(Key("ops"), Ct)).Record);
        Assert.Equal(after, (await reopened.LoadAsync(Key("ops"), Ct)).Record);
        Assert.Equal(["browser-1", "browser-2"], after.Operations.Select(o => o.Id));
        Assert.Equal(["browser-2"], after.Bins.Select(x => x.OperationId));
        Assert.Equal(["browser-1", "browser-2"], feed.Select(c => c.Bin.OperationId));
        Assert.Equal(after, (await b.LoadAsync(Key("ops"), Ct)).Record);
        Assert.Equal(after, Assert.Single(await reopened.ScanAsync(null, 10, Ct)).Record);
    }

    [Fact]
    public async Task Merge_OfRememberedOperationsAlone_IsWrittenAndHidesTheDuplicate()
    {
        // B holds its own copy of operation "msg-1"; A's resend carries only A's superseding bin and the remembered
        // set that says A held "msg-1" (A1) and overwrote it.
        var (a, _) = await NewStoreAsync(RegionA);
        var (b, location) = await NewStoreAsync(RegionB);
        var a1 = CausalRecord.Empty.Put(a.Replica, "\"10D\"", VersionVector.Empty, WrittenAt, operationId: "msg-1").Record;
        var a2 = a1.Put(a.Replica, "\"10F\"", a1.Context, WrittenAt.AddSeconds(1)).Record;
        await a.WriteAsync(new RecordWrite(Key("dup"), 0, CausalRecord.Empty, a2), Ct);
        var b1 = CausalRecord.Empty.Put(b.Replica, "\"10D\"", VersionVector.Empty, WrittenAt, operationId: "msg-1").Record;
        await b.WriteAsync(new RecordWrite(Key("dup"), 0, CausalRecord.Empty, b1), Ct);

        var resent = (await a.ScanAsync(null, 10, Ct)).Single().Record;
        var binsOnly = await b.MergeAsync([new KeyedBin(Key("dup"), resent.Bins[0])], null, Ct);
        var versionAfterBins = (await b.LoadAsync(Key("dup"), Ct)).Version;
        var withOperations = await b.MergeAsync([new KeyedBin(Key("dup"), resent.Bins[0]) { Operations = resent.Operations }], null, Ct);
        var stored = await (await OpenStoreAsync(location, RegionB)).LoadAsync(Key("dup"), Ct);

        Assert.Equal(1, binsOnly.Added);
        Assert.Equal(0, withOperations.Added);
        Assert.Equal([Key("dup")], withOperations.ChangedKeys);
        Assert.Equal(versionAfterBins + 1, stored.Version);
        Assert.Equal(["\"10F\""], stored.Record.Siblings.Select(s => s.Value));
        Assert.Equal(a2.Operations.Concat(b1.Operations).OrderBy(o => o.Dot), stored.Record.Operations);
    }
}
