using OrleansCausal.Core;
using OrleansCausal.Tests.Shared;

namespace OrleansCausal.Storage.Tests.Postgres;

/// <summary>Conditional writes across two store instances (two silos) on one database, and refused dots.</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresConditionalWriteTests(PostgresServer server) : PostgresTestBase(server)
{
    [Fact]
    public async Task WriteAsync_WhenAnotherInstanceWroteFirst_ConflictsAndTheFirstHearsTheNewVersion()
    {
        var first = await OpenStoreAsync();
        var second = await OpenStoreAsync();
        var key = Key("two-silos");
        await PutAsync(first, key, "1");
        var firstSaw = new TaskCompletionSource<RecordChangedEventArgs>(TaskCreationOptions.RunContinuationsAsynchronously);
        first.RecordChanged += (_, e) =>
        {
            if (!e.IsLocal && e.Key == key)
            {
                firstSaw.TrySetResult(e);
            }
        };
        var secondLocal = new TaskCompletionSource<RecordChangedEventArgs>(TaskCreationOptions.RunContinuationsAsynchronously);
        second.RecordChanged += (_, e) =>
        {
            if (e.IsLocal)
            {
                secondLocal.TrySetResult(e);
            }
        };
        var loadedOnFirst = await first.LoadAsync(key, Ct);
        var loadedOnSecond = await second.LoadAsync(key, Ct);
        Assert.Equal((1L, 1L), (loadedOnFirst.Version, loadedOnSecond.Version));

        var written = await second.WriteAsync(BlindPut(second, key, loadedOnSecond, "2"), Ct);
        var conflict = await Assert.ThrowsAsync<RecordVersionConflictException>(() => first.WriteAsync(BlindPut(first, key, loadedOnFirst, "3"), Ct));

        Assert.Equal(2, written.Version);
        Assert.Equal((key, 1L, 2L), (conflict.Key, conflict.ExpectedVersion, conflict.ActualVersion));
        var local = await secondLocal.Task.WaitAsync(Timeout);
        Assert.Equal((key, true, 2L), (local.Key, local.IsLocal, local.Version));
        var remote = await firstSaw.Task.WaitAsync(Timeout);
        Assert.Equal((key, false, 2L), (remote.Key, remote.IsLocal, remote.Version));
        var reloaded = await first.LoadAsync(key, Ct);
        Assert.Equal(2, reloaded.Version);
        Assert.Equal(["1", "2"], reloaded.Record.Siblings.Select(b => b.Value));
    }

    [Fact]
    public async Task WriteAsync_WhenAnOwnBinReusesADotTheClockCovers_RefusesAndWritesNothing()
    {
        var store = await OpenStoreAsync();
        var key = Key("reissue");
        var first = await PutAsync(store, key, "1");
        var second = await PutAsync(store, key, "2", first.Record.Context);
        var loaded = await store.LoadAsync(key, Ct);
        var reissued = CausalRecord.Restore([new Bin(first.Written.Dot, "\"again\"", VersionVector.Empty, first.Written.WrittenAt)], loaded.Record.Clock);
        var before = await store.GetLastSequenceAsync(Ct);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => store.WriteAsync(new RecordWrite(key, loaded.Version, loaded.Record, reissued), Ct));

        Assert.Contains(first.Written.Dot.ToString(), error.Message, StringComparison.Ordinal);
        Assert.Equal(new StoredRecord(second.Record, 2), await store.LoadAsync(key, Ct));
        Assert.Equal(before, await store.GetLastSequenceAsync(Ct));
    }

    [Fact]
    public async Task WriteAsync_WhenTheRecordDoesNotExist_InsertsItAtVersionOne()
    {
        var store = await OpenStoreAsync();
        var key = Key("fresh");
        var write = BlindPut(store, key, StoredRecord.Missing, "1");

        var result = await store.WriteAsync(write, Ct);
        var again = await Assert.ThrowsAsync<RecordVersionConflictException>(() => store.WriteAsync(write, Ct));

        Assert.Equal((1L, 1L), (result.Version, result.LastSequence));
        Assert.Equal((0L, 1L), (again.ExpectedVersion, again.ActualVersion));
        Assert.Equal(new StoredRecord(write.After, 1), await store.LoadAsync(key, Ct));
    }

    private static RecordWrite BlindPut(IRecordStore store, RecordKey key, StoredRecord loaded, string value)
    {
        var now = DateTimeOffset.FromUnixTimeMilliseconds(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        return new RecordWrite(key, loaded.Version, loaded.Record, loaded.Record.Put(store.Replica, value, VersionVector.Empty, now).Record);
    }
}
