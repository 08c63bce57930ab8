using OrleansCausal.Core;

namespace OrleansCausal.Storage.Tests.Conformance;

/// <summary>Who wrote each bin is stored with it, travels through the change feed and merges, and bins written before
/// writers were recorded keep reading with no writer.</summary>
public abstract partial class RecordStoreConformanceTests
{
    [Fact]
    public async Task Writer_OfAConditionalWrite_IsStoredFedAndMergedWithTheBin()
    {
        var (a, _) = await NewStoreAsync(RegionA);
        var (b, _) = await NewStoreAsync(RegionB);
        var after = CausalRecord.Empty
            .Put(a.Replica, "\"12F\"", VersionVector.Empty, WrittenAt, writer: "browser-key")
            .Record;
        after = after.Delete(a.Replica, VersionVector.Empty, WrittenAt, writer: "Zoë's job").Record;

        var written = await a.WriteAsync(new RecordWrite(Key("w"), 0, CausalRecord.Empty, after), Ct);
        var feed = await a.ReadChangesAsync(0, 10, Ct);
        await b.MergeAsync(feed.Select(c => new KeyedBin(c.Key, c.Bin)).ToArray(), null, Ct);

        Assert.Equal(["browser-key", "Zoë's job"], (await a.LoadAsync(Key("w"), Ct)).Record.Bins.Select(x => x.Writer));
        Assert.Equal(["browser-key", "Zoë's job"], feed.Select(c => c.Bin.Writer));
        Assert.Equal(after, (await b.LoadAsync(Key("w"), Ct)).Record);
        Assert.Equal(1, written.Version);
    }

    [Fact]
    public async Task Writer_WhenUnknown_ReadsBackAsNull()
    {
        var (a, _) = await NewStoreAsync(RegionA);

        var put = await PutAsync(a, Key("anonymous"), "\"x\"");

        Assert.Null(put.Written.Writer);
        Assert.Null(Assert.Single((await a.LoadAsync(Key("anonymous"), Ct)).Record.Bins).Writer);
        Assert.Null(Assert.Single(await a.ReadChangesAsync(0, 10, Ct)).Bin.Writer);
    }
}
