using System.Diagnostics.Metrics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OrleansCausal.Core;
using OrleansCausal.Runtime.Actors;
using OrleansCausal.Runtime.Diagnostics;
using OrleansCausal.Runtime.Records;
using OrleansCausal.Runtime.Storage;
using OrleansCausal.Runtime.Tests.Support;
using OrleansCausal.Storage;

namespace OrleansCausal.Runtime.Tests.Actors;

/// <summary>Record actors over an in-memory store: lifecycle, the cap, serialization, cache refresh, session guarantee.</summary>
public sealed class RecordActorTests
{
    private static Task<InMemoryRecordStore> OpenStoreAsync() => InMemoryStores.OpenAsync();

    private static RecordKey Key(string key) => new("default", key);

    [Fact]
    public async Task DeactivateIdle_AfterIdleTimeout_DeactivatesActor()
    {
        var time = new ManualTimeProvider();
        await using var services = RuntimeHost.Create(await OpenStoreAsync(), new Dictionary<string, string?> { ["Actors:IdleTimeout"] = "00:01:00" }, time);
        var records = services.GetRequiredService<RecordService>();
        var actors = services.GetRequiredService<RecordActorDirectory>();
        await records.PutAsync(Key("k"), "1", VersionVector.Empty, false, default);

        time.Advance(TimeSpan.FromSeconds(59));
        var early = actors.DeactivateIdle();
        var activeBefore = actors.IsActive(Key("k"));
        time.Advance(TimeSpan.FromSeconds(2));
        var late = actors.DeactivateIdle();

        Assert.Equal(0, early);
        Assert.True(activeBefore);
        Assert.Equal(1, late);
        Assert.False(actors.IsActive(Key("k")));
        Assert.Equal(0, actors.Count);
        var reactivated = await records.GetAsync(Key("k"), null, default);
        Assert.Equal("1", reactivated.Chosen!.Value);
    }

    [Fact]
    public async Task ActorCap_DeactivatesLeastRecentlyUsed()
    {
        await using var services = RuntimeHost.Create(await OpenStoreAsync(), new Dictionary<string, string?> { ["Actors:MaxActive"] = "3" });
        var records = services.GetRequiredService<RecordService>();
        var actors = services.GetRequiredService<RecordActorDirectory>();

        foreach (var k in new[] { "k1", "k2", "k3", "k1", "k4" })
        {
            await records.GetAsync(Key(k), null, default);
        }

        Assert.Equal(3, actors.Count);
        Assert.True(actors.IsActive(Key("k1")));
        Assert.False(actors.IsActive(Key("k2")));
        Assert.True(actors.IsActive(Key("k3")));
        Assert.True(actors.IsActive(Key("k4")));
    }

    [Fact]
    public async Task ActorCap_NeverDeactivatesActorWithRequestInFlight()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var store = new ProbeStore(await OpenStoreAsync()) { Gate = gate.Task };
        await using var services = RuntimeHost.Create(store, new Dictionary<string, string?> { ["Actors:MaxActive"] = "1" });
        var records = services.GetRequiredService<RecordService>();
        var actors = services.GetRequiredService<RecordActorDirectory>();

        var pending = records.PutAsync(Key("busy"), "1", VersionVector.Empty, false, default);
        await store.PutArrived.Task.WaitAsync(TimeSpan.FromSeconds(10));
        await records.GetAsync(Key("other"), null, default);
        var busyStillActive = actors.IsActive(Key("busy"));
        gate.SetResult();
        await pending.WaitAsync(TimeSpan.FromSeconds(10));
        await records.GetAsync(Key("third"), null, default);

        Assert.True(busyStillActive);
        Assert.Equal(1, actors.Count);
        Assert.True(actors.IsActive(Key("third")));
    }

    [Fact]
    public async Task ConcurrentPuts_ToOneKey_AreSerializedAndEveryBinIsKept()
    {
        var store = new ProbeStore(await OpenStoreAsync());
        await using var services = RuntimeHost.Create(store, new Dictionary<string, string?> { ["Limits:MaxSiblings"] = "100" });
        var records = services.GetRequiredService<RecordService>();

        var writes = Enumerable.Range(1, 40)
            .Select(i => Task.Run(() => records.PutAsync(Key("hot"), i.ToString(), VersionVector.Empty, false, default)))
            .ToArray();
        var results = await Task.WhenAll(writes).WaitAsync(TimeSpan.FromSeconds(30));
        var final = await records.GetAsync(Key("hot"), null, default);

        Assert.Equal(1, store.MaxConcurrentPutsPerKey);
        Assert.Equal(40, final.Siblings.Count);
        Assert.Equal(40, final.Siblings.Select(b => b.Dot).Distinct().Count());
        Assert.Equal(Enumerable.Range(1, 40).Select(i => i.ToString()).Order(), final.Siblings.Select(b => b.Value!).Order());
        Assert.Equal(40, results.Select(r => r.Siblings.Count).Max());
    }

    [Fact]
    public async Task ConcurrentPuts_ToDifferentKeys_DoOverlap()
    {
        var store = new ProbeStore(await OpenStoreAsync());
        await using var services = RuntimeHost.Create(store);
        var records = services.GetRequiredService<RecordService>();

        var writes = Enumerable.Range(1, 40)
            .Select(i => Task.Run(() => records.PutAsync(Key("k" + i), "1", VersionVector.Empty, false, default)))
            .ToArray();
        await Task.WhenAll(writes).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(1, store.MaxConcurrentPutsPerKey);
        Assert.True(store.MaxConcurrentPuts > 1, $"expected puts to different keys to overlap, saw at most {store.MaxConcurrentPuts} at once");
    }

    [Fact]
    public async Task StoreChangeNotice_DropsCacheAndNextReadSeesTheChange()
    {
        var store = await OpenStoreAsync();
        await using var services = RuntimeHost.Create(store);
        var records = services.GetRequiredService<RecordService>();
        var actors = services.GetRequiredService<RecordActorDirectory>();
        await store.PutAsync(new PutRequest(Key("k"), "\"old\"", VersionVector.Empty), default);
        var first = await records.GetAsync(Key("k"), null, default);
        var cachedActor = await actors.UseAsync(Key("k"), (a, _) => Task.FromResult(a), default);
        var wasCached = cachedActor.IsCached;

        // Another writer of the same store (another silo, or a merged remote bin).
        await store.PutAsync(new PutRequest(Key("k"), "\"new\"", first.Context), default);
        var cachedAfterNotice = cachedActor.IsCached;
        var second = await records.GetAsync(Key("k"), null, default);

        Assert.True(wasCached);
        Assert.False(cachedAfterNotice);
        Assert.Equal("\"new\"", second.Chosen!.Value);
    }

    [Fact]
    public async Task Read_WithContextNotCoveredByCache_RefreshesFromStore()
    {
        // Two silos sharing one store; silo 1 misses the change notices (a lost notification).
        var shared = await OpenStoreAsync();
        var time = new ManualTimeProvider();
        await using var silo1 = RuntimeHost.Create(new ProbeStore(shared, forwardNotices: false), time: time);
        await using var silo2 = RuntimeHost.Create(new ProbeStore(shared, forwardNotices: false), time: time);
        var records1 = silo1.GetRequiredService<RecordService>();
        var records2 = silo2.GetRequiredService<RecordService>();
        var initial = await records1.PutAsync(Key("k"), "\"v1\"", VersionVector.Empty, false, default);
        await records1.GetAsync(Key("k"), null, default);

        var written = await records2.PutAsync(Key("k"), "\"v2\"", initial.Context, false, default);
        var withoutContext = await records1.GetAsync(Key("k"), null, default);
        var withContext = await records1.GetAsync(Key("k"), written.Context, default);

        Assert.Equal("\"v1\"", withoutContext.Chosen!.Value);
        Assert.Equal("\"v2\"", withContext.Chosen!.Value);
        Assert.True(withContext.Context.Covers(written.Context));
    }

    [Fact]
    public async Task Read_WhenCacheOlderThanMaxCacheAge_RefreshesWithoutNotice()
    {
        var shared = await OpenStoreAsync();
        var time = new ManualTimeProvider();
        var settings = new Dictionary<string, string?> { ["Actors:MaxCacheAge"] = "00:00:02" };
        await using var silo1 = RuntimeHost.Create(new ProbeStore(shared, forwardNotices: false), settings, time);
        await using var silo2 = RuntimeHost.Create(new ProbeStore(shared, forwardNotices: false), settings, time);
        var records1 = silo1.GetRequiredService<RecordService>();
        var initial = await records1.PutAsync(Key("k"), "\"v1\"", VersionVector.Empty, false, default);
        await records1.GetAsync(Key("k"), null, default);
        await silo2.GetRequiredService<RecordService>().PutAsync(Key("k"), "\"v2\"", initial.Context, false, default);

        time.Advance(TimeSpan.FromSeconds(1));
        var young = await records1.GetAsync(Key("k"), null, default);
        time.Advance(TimeSpan.FromSeconds(1.5));
        var old = await records1.GetAsync(Key("k"), null, default);

        Assert.Equal("\"v1\"", young.Chosen!.Value);
        Assert.Equal("\"v2\"", old.Chosen!.Value);
    }

    [Fact]
    public async Task Prune_IsCountedInMetrics()
    {
        await using var services = RuntimeHost.Create(await OpenStoreAsync(), new Dictionary<string, string?> { ["Namespaces:capped:MaxSiblings"] = "2" });
        var records = services.GetRequiredService<RecordService>();
        var meter = services.GetRequiredService<RuntimeMetrics>().Meter;
        long pruned = 0;
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter == meter && instrument.Name == "orleans_causal.siblings.pruned")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref pruned, value));
        listener.Start();
        var key = new RecordKey("capped", "k");

        for (var i = 0; i < 5; i++)
        {
            await records.PutAsync(key, i.ToString(), VersionVector.Empty, false, default);
        }

        var final = await records.GetAsync(key, null, default);
        Assert.Equal(["3", "4"], final.Siblings.Select(b => b.Value!).ToArray());
        Assert.Equal(3, Interlocked.Read(ref pruned));
    }

    [Fact]
    public async Task CustomResolver_RegisteredInCode_IsUsedByNamespaceThatNamesIt()
    {
        var store = await OpenStoreAsync();
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Region"] = "A", ["Namespaces:words:Resolver"] = "shortest" })
            .Build();
        var services = new ServiceCollection().AddLogging().AddSingleton<IRecordStore>(store);
        OrleansCausal.Runtime.Hosting.OrleansCausalServiceCollectionExtensions.AddCausalResolver(services, new ShortestResolver());
        OrleansCausal.Runtime.Hosting.OrleansCausalServiceCollectionExtensions.AddOrleansCausal(services, configuration);
        await using var provider = services.BuildServiceProvider();
        var records = provider.GetRequiredService<RecordService>();
        var key = new RecordKey("words", "k");

        await records.PutAsync(key, "\"elephant\"", VersionVector.Empty, false, default);
        var view = await records.PutAsync(key, "\"cat\"", VersionVector.Empty, false, default);
        await records.PutAsync(key, "\"giraffe\"", VersionVector.Empty, false, default);
        var read = await records.GetAsync(key, null, default);

        Assert.Equal("shortest", read.Namespace.Resolver.Name);
        Assert.Equal("\"cat\"", read.Chosen!.Value);
        Assert.Equal(3, read.Siblings.Count);
        Assert.Equal("\"cat\"", view.Chosen!.Value);
    }

    private sealed class ShortestResolver : OrleansCausal.Core.Resolvers.IValueResolver
    {
        public string Name => "shortest";

        public Bin? Resolve(IReadOnlyList<Bin> siblings) =>
            siblings.OrderBy(b => b.Value!.Length).ThenBy(b => b.Dot).FirstOrDefault();
    }

    [Fact]
    public async Task UnknownNamespace_IsRefusedUnlessOpen()
    {
        await using var closed = RuntimeHost.Create(await OpenStoreAsync());
        await using var open = RuntimeHost.Create(await OpenStoreAsync(), new Dictionary<string, string?> { ["Namespaces:Open"] = "true" });

        var error = await Assert.ThrowsAsync<RecordRequestException>(() =>
            closed.GetRequiredService<RecordService>().GetAsync(new RecordKey("orders", "k"), null, default));
        var view = await open.GetRequiredService<RecordService>().PutAsync(new RecordKey("orders", "k"), "1", VersionVector.Empty, false, default);

        Assert.Equal(RecordError.UnknownNamespace, error.Error);
        Assert.Equal("lww", view.Namespace.ResolverSpecification);
    }
}
