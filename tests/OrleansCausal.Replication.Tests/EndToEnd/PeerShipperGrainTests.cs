using OrleansCausal.Replication.Tests.TestCluster;
using OrleansCausal.Runtime.Replication;
using OrleansCausal.Tests.Shared;

namespace OrleansCausal.Replication.Tests.EndToEnd;

/// <summary>
/// Two silos of region A form one Orleans cluster (on PostgreSQL): exactly one of them runs the shipper grain to B,
/// every silo's status names that silo, and when it stops the other silo resumes from the checkpoint.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class PeerShipperGrainTests(PostgresServer server)
{
    private static readonly TimeSpan Quiesce = TimeSpan.FromSeconds(60);

    private static async Task<IReadOnlyList<PeerReplicationStatus>> StatusesAsync(TestRegion region)
    {
        var result = new List<PeerReplicationStatus>();
        foreach (var silo in region.Silos.Where(s => s.IsRunning))
        {
            var status = (IReplicationStatus)silo.Services.GetService(typeof(IReplicationStatus))!;
            result.Add((await status.GetPeersAsync(CancellationToken.None)).Single());
        }

        return result;
    }

    /// <summary>Waits until every running silo of <paramref name="region"/> names the same shipper and exactly one of
    /// them says it is that shipper; returns the index of the shipping silo.</summary>
    private static async Task<int> WaitForSingleShipperAsync(TestRegion region, string phase)
    {
        var deadline = DateTime.UtcNow + Quiesce;
        while (true)
        {
            var statuses = await StatusesAsync(region);
            var running = region.Silos.Where(s => s.IsRunning).ToList();
            if (statuses.Count(s => s.IsShipping) == 1 && statuses.All(s => s.Shipper is not null && s.Shipper == statuses[0].Shipper))
            {
                return running[statuses.ToList().FindIndex(s => s.IsShipping)].Index;
            }

            Assert.True(DateTime.UtcNow < deadline,
                $"Phase {phase}: expected every silo of {region} to name one shipper, and exactly one to be it; saw " +
                string.Join("; ", statuses.Select(s => $"shipper {s.Shipper ?? "-"} here {s.IsShipping} error {s.LastError ?? "-"}")));
            await Task.Delay(50);
        }
    }

    [Fact]
    public async Task TwoSilosOfARegion_ExactlyOneShipsAndTheOtherResumesWhenItStops()
    {
        await using var cluster = await TestCluster.TestCluster.StartAsync(new TestClusterOptions
        {
            Regions = ["A", "B"],
            SilosPerRegion = 2,
            StoreForRegion = async region => "postgres:" + await server.CreateDatabaseAsync("shipper" + region.ToLowerInvariant()),
        });
        var shipping = await WaitForSingleShipperAsync(cluster["A"], "start");
        var other = cluster["A"].Silos[1 - shipping];
        using (var client = other.Client())
        {
            await client.PutAsync("ship", "k", "\"via the non-shipping silo\"", context: null);
        }

        await cluster.WaitForQuiescenceAsync(Quiesce);
        using (var b = cluster["B"].Client())
        {
            Assert.Equal(["\"via the non-shipping silo\""], (await b.GetAsync("ship", "k")).Values);
        }

        var shippedBefore = (await StatusesAsync(cluster["A"])).First().LastShippedSequence;
        await cluster["A"].Silos[shipping].StopAsync();
        Assert.Equal(other.Index, await WaitForSingleShipperAsync(cluster["A"], "take-over"));
        Assert.True((await StatusesAsync(cluster["A"])).Single().LastShippedSequence >= shippedBefore, "The new shipper did not resume from the checkpoint.");
        using (var client = other.Client())
        {
            var read = await client.GetAsync("ship", "k");
            await client.PutAsync("ship", "k", "\"after take-over\"", read.Context);
        }

        await cluster.WaitForQuiescenceAsync(Quiesce);
        using (var b = cluster["B"].Client())
        {
            Assert.Equal(["\"after take-over\""], (await b.GetAsync("ship", "k")).Values);
        }
    }
}
