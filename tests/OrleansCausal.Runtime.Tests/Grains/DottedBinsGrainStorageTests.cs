using Microsoft.Extensions.Logging.Abstractions;
using Orleans.Storage;
using OrleansCausal.Core;
using OrleansCausal.Runtime.Grains;
using OrleansCausal.Runtime.GrainStorage;
using OrleansCausal.Runtime.Tests.Support;
using OrleansCausal.Storage;

namespace OrleansCausal.Runtime.Tests.Grains;

/// <summary>The grain-storage provider on its own: the record version is the ETag, a stale ETag is refused with
/// <see cref="InconsistentStateException"/> and nothing written, and records are never cleared.</summary>
public sealed class DottedBinsGrainStorageTests
{
    private static readonly GrainId Grain = GrainId.Create("recordgrain", RecordGrainKey.Format(new RecordKey("default", "etag")));

    [Fact]
    public async Task Write_WithTheVersionRead_CommitsAndMovesTheEtag()
    {
        var (storage, store) = await OpenAsync();
        var state = await ReadAsync(storage);
        Assert.Null(state.ETag);
        Assert.False(state.RecordExists);

        Put(state, store, "\"one\"");
        await storage.WriteStateAsync("record", Grain, state);

        Assert.Equal("1", state.ETag);
        Assert.True(state.RecordExists);
        Assert.Equal(state.State!.Record, (await store.LoadAsync(new RecordKey("default", "etag"), default)).Record);
        Assert.Equal(1, await store.GetLastSequenceAsync(default));
    }

    [Fact]
    public async Task Write_FromASecondActivationWithAStaleEtag_IsRefusedAndWritesNothing()
    {
        var (storage, store) = await OpenAsync();
        var first = await ReadAsync(storage);
        var second = await ReadAsync(storage);
        Put(first, store, "\"first\"");
        Put(second, store, "\"second\"");
        await storage.WriteStateAsync("record", Grain, first);

        var refused = await Assert.ThrowsAsync<InconsistentStateException>(() => storage.WriteStateAsync("record", Grain, second));

        Assert.Equal("1", refused.StoredEtag);
        var stored = await store.LoadAsync(new RecordKey("default", "etag"), default);
        Assert.Equal(first.State!.Record, stored.Record);
        Assert.Equal(1, await store.GetLastSequenceAsync(default));

        // Reload and retry: both writes kept, with distinct dots.
        await storage.ReadStateAsync("record", Grain, second);
        Put(second, store, "\"second\"");
        await storage.WriteStateAsync("record", Grain, second);
        var after = (await store.LoadAsync(new RecordKey("default", "etag"), default)).Record;
        Assert.Equal(["\"first\"", "\"second\""], after.Siblings.Select(b => b.Value));
        Assert.Equal(2, after.Bins.Select(b => b.Dot).Distinct().Count());
    }

    [Fact]
    public async Task Clear_IsRefused_BecauseDeletesAreTombstones()
    {
        var (storage, _) = await OpenAsync();
        var state = await ReadAsync(storage);

        await Assert.ThrowsAsync<NotSupportedException>(() => storage.ClearStateAsync("record", Grain, state));
    }

    private static async Task<(DottedBinsGrainStorage Storage, IRecordStore Store)> OpenAsync()
    {
        var store = await InMemoryStores.OpenAsync();
        var storage = new DottedBinsGrainStorage("test", new DottedBinsGrainStorageOptions(), store, NullLogger<DottedBinsGrainStorage>.Instance);
        return (storage, store);
    }

    private static async Task<GrainState<RecordState>> ReadAsync(IGrainStorage storage)
    {
        var state = new GrainState<RecordState>(new RecordState());
        await storage.ReadStateAsync("record", Grain, state);
        return state;
    }

    private static void Put(GrainState<RecordState> state, IRecordStore store, string json) =>
        state.State!.Record = state.State!.Record.Put(store.Replica, json, VersionVector.Empty, DateTimeOffset.UnixEpoch).Record;
}
