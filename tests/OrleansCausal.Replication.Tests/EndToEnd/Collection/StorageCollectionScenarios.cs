using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using OrleansCausal.Core;
using OrleansCausal.Replication.Collection;
using OrleansCausal.Replication.Tests.TestCluster;
using OrleansCausal.Runtime.Storage;
using OrleansCausal.Storage;

namespace OrleansCausal.Replication.Tests.EndToEnd.Collection;

/// <summary>
/// Bounded storage end to end (README "Bounded storage"), on each backend: after deletes reach every region and a
/// garbage-collection round runs (triggered directly, not by waiting for the interval), tombstones and the change
/// feed drop to (near) zero; a context read before a purge and written after it leaves both writes as siblings (no
/// doomstone, no dot issued twice); a cut-off region holds the purge back and nothing is resurrected after it heals; a region removed
/// from membership no longer holds it back.
/// </summary>
public abstract class StorageCollectionScenarios
{
    private static readonly TimeSpan Quiesce = TimeSpan.FromSeconds(60);
    private const string Ns = "gc";

    /// <summary>The store of each region (null: the harness's SQLite file).</summary>
    protected abstract Func<string, Task<string?>>? StoreForRegion { get; }

    [Fact]
    public async Task Collect_WhenDeletesReachedEveryRegion_TombstonesAndFeedDropToNearZero_AndALateOldContextWriteStaysASibling()
    {
        await using var cluster = await StartAsync(["A", "B"]);
        using var a = cluster["A"].Client();
        using var b = cluster["B"].Client();
        for (var i = 0; i < 10; i++)
        {
            await a.PutAsync(Ns, $"a{i}", $"\"a{i}\"", context: null);
            await b.PutAsync(Ns, $"b{i}", $"\"b{i}\"", context: null);
        }

        await cluster.WaitForQuiescenceAsync(Quiesce);
        var readBeforeDelete = await a.GetAsync(Ns, "a0");
        for (var i = 0; i < 10; i++)
        {
            await a.DeleteAsync(Ns, $"a{i}", (await a.GetAsync(Ns, $"a{i}")).Context);
            await b.DeleteAsync(Ns, $"b{i}", (await b.GetAsync(Ns, $"b{i}")).Context);
        }

        await cluster.WaitForQuiescenceAsync(Quiesce);
        foreach (var region in cluster.Regions.Values)
        {
            Assert.Equal((0L, 20L), await RecordsAndTombstonesAsync(region));
        }

        var purgedA0 = await cluster["A"].Silo.Store.ReadAsync(new RecordKey(Ns, "a0"), CancellationToken.None);
        var ownCounter = purgedA0.Clock.Get(cluster["A"].Silo.Store.Replica);

        // Only A collects first: B still holds a0's tombstones when A's late write arrives.
        var round = await CollectAsync(cluster["A"]);
        Assert.True(round.HeldBackBy is null, $"A's round was held back: {round.HeldBackBy}");
        Assert.Equal(20, round.Purged);
        Assert.Equal((0L, 0L), await RecordsAndTombstonesAsync(cluster["A"]));
        var cleared = await cluster["A"].Silo.Store.ReadAsync(new RecordKey(Ns, "a0"), CancellationToken.None);
        Assert.True(cleared.Bins.Count == 0 && cleared.Clock.Equals(purgedA0.Clock),
            $"After the purge A holds {cleared} for a0; expected no bin and the clock {purgedA0.Clock} (it keeps the purged dots covered).");

        // The doomstone case: the context read before the delete and the purge, written after them, at A; and a
        // concurrent blind write at B. Both stay, as siblings, everywhere.
        var late = await a.PutAsync(Ns, "a0", "\"late\"", readBeforeDelete.Context);
        var concurrent = await b.PutAsync(Ns, "a0", "\"concurrent\"", context: null);
        await cluster.WaitForQuiescenceAsync(Quiesce);
        foreach (var region in cluster.Regions.Values)
        {
            using var client = region.Client();
            var read = await client.GetAsync(Ns, "a0");
            Assert.True(read.Values.Order(StringComparer.Ordinal).SequenceEqual(["\"concurrent\"", "\"late\""]),
                $"Region {region.Name} holds {read} for a0; expected the late write and the concurrent one as siblings.");
        }

        var lateDot = Assert.Single(late.Siblings, s => s.Value == "\"late\"").Dot;
        Assert.True(Dot.TryParse(lateDot, out var parsed) && parsed.Counter > ownCounter,
            $"The write after the purge got dot {lateDot}; A's counters for a0 went up to {ownCounter} before the purge: a dot was issued twice.");
        Assert.Contains(concurrent.Siblings, s => s.Value == "\"concurrent\"");

        var roundB = await CollectAsync(cluster["B"]);
        Assert.True(roundB.HeldBackBy is null, $"B's round was held back: {roundB.HeldBackBy}");
        await CollectAsync(cluster["A"]);
        foreach (var region in cluster.Regions.Values)
        {
            Assert.Equal((1L, 0L), await RecordsAndTombstonesAsync(region));
            var feed = (await region.Silo.Store.GetStorageFiguresAsync(CancellationToken.None)).Feed;
            Assert.True(feed <= 1, $"Region {region.Name} still holds {feed} change-feed entries after every peer acknowledged them.");
        }

        await cluster.AssertConvergedAsync();
        await AssertStatusShowsStorageAsync(cluster["A"]);
    }

    [Fact]
    public async Task Collect_WhenARegionIsCutOff_PurgesNothingItHasNotSeen_AndAfterHealingConvergesWithNothingResurrected()
    {
        await using var cluster = await StartAsync(["A", "B", "C"]);
        using var a = cluster["A"].Client();
        await WriteTenKeysEverywhereThenIsolateCAsync(cluster, a);
        using var c = cluster["C"].Client();
        var cRead = await c.GetAsync(Ns, "k1");
        await DeleteTenKeysAsync(a);

        // C, cut off, never saw the deletes: a blind write and a write with the context it read before them.
        await c.PutAsync(Ns, "k0", "\"c-blind\"", context: null);
        await c.PutAsync(Ns, "k1", "\"c-read\"", cRead.Context);
        await WaitForBacklogAsync(cluster["A"], "B");

        var feedBefore = (await cluster["A"].Silo.Store.GetStorageFiguresAsync(CancellationToken.None)).Feed;
        foreach (var name in new[] { "A", "B" })
        {
            var round = await CollectAsync(cluster[name]);
            Assert.True(round is { Purged: 0, HeldBackBy: { } why } && why.Contains("region C", StringComparison.Ordinal),
                $"Region {name}'s round purged {round.Purged} and was held back by '{round.HeldBackBy}'; expected nothing purged, held back by C.");
            Assert.Equal((0L, 10L), await RecordsAndTombstonesAsync(cluster[name]));
        }

        var feedAfter = (await cluster["A"].Silo.Store.GetStorageFiguresAsync(CancellationToken.None)).Feed;
        Assert.True(feedAfter >= 10, $"A compacted its feed to {feedAfter} entries (from {feedBefore}) although C has not acknowledged the 10 deletes.");

        cluster.HealAll();
        await cluster.WaitForQuiescenceAsync(Quiesce);
        foreach (var region in cluster.Regions.Values)
        {
            var round = await CollectAsync(region);
            Assert.True(round.HeldBackBy is null, $"Region {region.Name}'s round after healing was held back: {round.HeldBackBy}");
        }

        await cluster.WaitForQuiescenceAsync(Quiesce);
        var records = await cluster.AssertConvergedAsync();
        // The purged keys stay as their clocks alone (no bin), identical everywhere.
        Assert.Equal(["k0", "k1"], records.Where(r => r.Record.Bins.Count > 0).Select(r => r.Key.Key));
        foreach (var region in cluster.Regions.Values)
        {
            using var client = region.Client();
            Assert.Equal(["\"c-blind\""], (await client.GetAsync(Ns, "k0")).Values);
            Assert.Equal(["\"c-read\""], (await client.GetAsync(Ns, "k1")).Values);
            for (var i = 2; i < 10; i++)
            {
                var read = await client.GetAsync(Ns, $"k{i}");
                Assert.False(read.Found, $"Region {region.Name} resurrected k{i}: {read}.");
            }

            Assert.Equal((2L, 0L), await RecordsAndTombstonesAsync(region));
        }
    }

    [Fact]
    public async Task Collect_WhenACutOffRegionIsRemovedFromMembership_ItNoLongerHoldsCollectionBack()
    {
        await using var cluster = await StartAsync(["A", "B", "C"]);
        using var a = cluster["A"].Client();
        await WriteTenKeysEverywhereThenIsolateCAsync(cluster, a);
        await DeleteTenKeysAsync(a);

        await WaitForBacklogAsync(cluster["A"], "B");
        Assert.Equal(0, (await CollectAsync(cluster["A"])).Purged);

        cluster.Disconnect("A", "C");
        cluster.Disconnect("B", "C");
        await WaitUntilAsync(async () => (await cluster["A"].StatusAsync()).Count == 1 && (await cluster["B"].StatusAsync()).Count == 1,
            "A and B to drop peer C from their membership");
        foreach (var name in new[] { "A", "B" })
        {
            var round = await CollectAsync(cluster[name]);
            Assert.True(round.HeldBackBy is null, $"Region {name}'s round is still held back after C was removed: {round.HeldBackBy}");
            Assert.Equal((0L, 0L), await RecordsAndTombstonesAsync(cluster[name]));
        }

        var feed = (await cluster["A"].Silo.Store.GetStorageFiguresAsync(CancellationToken.None)).Feed;
        Assert.True(feed <= 1, $"A still holds {feed} change-feed entries once its only peer B acknowledged them all.");
    }

    /// <summary>Writes k0..k9 at A, waits until every region holds them, then cuts C off from the others.</summary>
    private static async Task WriteTenKeysEverywhereThenIsolateCAsync(TestCluster.TestCluster cluster, KvClient a)
    {
        for (var i = 0; i < 10; i++)
        {
            await a.PutAsync(Ns, $"k{i}", $"\"v{i}\"", context: null);
        }

        await cluster.WaitForQuiescenceAsync(Quiesce);
        cluster.Isolate("C");
    }

    /// <summary>Deletes k0..k9 at A, each with the context of a read just before.</summary>
    private static async Task DeleteTenKeysAsync(KvClient a)
    {
        for (var i = 0; i < 10; i++)
        {
            await a.DeleteAsync(Ns, $"k{i}", (await a.GetAsync(Ns, $"k{i}")).Context);
        }
    }

    private async Task<TestCluster.TestCluster> StartAsync(IReadOnlyList<string> regions) =>
        await TestCluster.TestCluster.StartAsync(new TestClusterOptions
        {
            Regions = regions,
            StoreForRegion = StoreForRegion,
            Settings = new Dictionary<string, string?>
            {
                ["Storage:FeedRetention"] = "0",
                // Rounds run when the test triggers them, not on their own.
                ["Storage:GcInterval"] = "12:00:00",
            },
        });

    private static Task<CollectionRound> CollectAsync(TestRegion region) =>
        region.Silo.Services.GetRequiredService<StorageCollector>().RunOnceAsync(CancellationToken.None);

    private static async Task<(long Records, long Tombstones)> RecordsAndTombstonesAsync(TestRegion region)
    {
        var figures = await region.Silo.Store.GetStorageFiguresAsync(CancellationToken.None);
        return (figures.Records, figures.Tombstones);
    }

    private static async Task AssertStatusShowsStorageAsync(TestRegion region)
    {
        using var client = region.Client();
        using var response = await client.SendAsync(new HttpRequestMessage(HttpMethod.Get, "/v1/status"));
        response.EnsureSuccessStatusCode();
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var storage = document.RootElement.GetProperty("storage");
        Assert.Equal(1, storage.GetProperty("records").GetInt64());
        Assert.Equal(0, storage.GetProperty("tombstones").GetInt64());
        Assert.True(storage.GetProperty("bytes").GetInt64() > 0, $"The status reports no store size: {storage}");
        var cut = storage.GetProperty("lastCollection").GetProperty("stableCut");
        Assert.Equal(2, cut.EnumerateObject().Count());
    }

    private static Task WaitForBacklogAsync(TestRegion region, string peer) =>
        WaitUntilAsync(async () => (await region.StatusAsync()).Single(p => p.Region == peer).Backlog == 0, $"{region.Name}'s backlog to {peer} to drain");

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow + Quiesce;
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"Timed out waiting for {what}.");
            await Task.Delay(20);
        }
    }
}
