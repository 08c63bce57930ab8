using OrleansCausal.Storage;
using OrleansCausal.Replication.Tests.TestCluster;

namespace OrleansCausal.Replication.Tests.EndToEnd;

/// <summary>Two silos of one region share a store; only one ships to a peer, and the other takes over when it stops.</summary>
public sealed class ShippingLeaseTests
{
    private static readonly TimeSpan Quiesce = TimeSpan.FromSeconds(30);

    private static async Task<IReadOnlyList<bool>> ShippingFlagsAsync(TestRegion region)
    {
        var flags = new List<bool>();
        foreach (var silo in region.Silos.Where(s => s.IsRunning))
        {
            var status = (Runtime.Replication.IReplicationStatus)silo.Services.GetService(typeof(Runtime.Replication.IReplicationStatus))!;
            flags.Add((await status.GetPeersAsync(CancellationToken.None)).Single().IsShipping);
        }

        return flags;
    }

    // Read from B's store: B's two silos share one SQLite file, which cannot tell one silo's record cache about a
    // merge applied through the other silo (multi-silo regions are meant for PostgreSQL, which notifies).
    private static async Task<IReadOnlyList<string?>> ValuesAtAsync(TestRegion region) =>
        (await region.Silo.Store.ReadAsync(new Storage.RecordKey("lease", "k"), CancellationToken.None)).Siblings.Select(b => b.Value).ToList();

    private static async Task WaitForSingleShipperAsync(TestRegion region, string phase)
    {
        var deadline = DateTime.UtcNow + Quiesce;
        IReadOnlyList<bool> flags;
        while ((flags = await ShippingFlagsAsync(region)).Count(f => f) != 1)
        {
            Assert.True(DateTime.UtcNow < deadline, $"Phase {phase}: expected exactly one shipping silo in {region}, saw [{string.Join(", ", flags)}].");
            await Task.Delay(50);
        }
    }

    [Fact]
    public async Task TwoSilosOfARegion_ExactlyOneShipsAndTheOtherTakesOverWhenItStops()
    {
        await using var cluster = await TestCluster.TestCluster.StartAsync(new TestClusterOptions { Regions = ["A", "B"], SilosPerRegion = 2 });
        await WaitForSingleShipperAsync(cluster["A"], "start");

        var shipping = (await ShippingFlagsAsync(cluster["A"])).ToList().IndexOf(true);
        var other = cluster["A"].Silos[1 - shipping];
        using (var client = other.Client())
        {
            await client.PutAsync("lease", "k", "\"via the non-shipping silo\"", context: null);
        }

        await cluster.WaitForQuiescenceAsync(Quiesce);
        Assert.Equal(["\"via the non-shipping silo\""], await ValuesAtAsync(cluster["B"]));

        await cluster["A"].Silos[shipping].StopAsync();
        await WaitForSingleShipperAsync(cluster["A"], "take-over");
        using (var client = other.Client())
        {
            var read = await client.GetAsync("lease", "k");
            await client.PutAsync("lease", "k", "\"after take-over\"", read.Context);
        }

        await cluster.WaitForQuiescenceAsync(Quiesce);
        Assert.Equal(["\"after take-over\""], await ValuesAtAsync(cluster["B"]));
    }
}
