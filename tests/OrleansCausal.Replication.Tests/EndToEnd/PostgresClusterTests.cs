using OrleansCausal.Replication.Tests.TestCluster;
using OrleansCausal.Runtime.Replication;
using OrleansCausal.Tests.Shared;

namespace OrleansCausal.Replication.Tests.EndToEnd;

/// <summary>
/// Two regions, each an Orleans cluster of two silos sharing one PostgreSQL database (a real server over a real
/// connection; Orleans' in-process membership — PostgreSQL clustering itself is what <see cref="ShipperKillTests"/> runs on). Clients read-then-write through every silo while the regions are cut and healed; afterwards every
/// silo of every region answers identically (the silos' caches follow merges applied through the other silo via the
/// store's notifications), and exactly one silo per region ships to the peer.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresClusterTests(PostgresServer server)
{
    private static readonly TimeSpan Quiesce = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task TwoRegionsOfTwoSilosOnPostgres_UnderCutAndHeal_EverySiloConverges()
    {
        var seed = Random.Shared.Next();
        await using var cluster = await TestCluster.TestCluster.StartAsync(new TestClusterOptions
        {
            Regions = ["A", "B"],
            SilosPerRegion = 2,
            Seed = seed,
            StoreForRegion = async region => "postgres:" + await server.CreateDatabaseAsync("repl" + region.ToLowerInvariant()),
        });
        var silos = cluster.Regions.Values.SelectMany(r => r.Silos).ToList();

        async Task WorkAsync(int worker, int ops)
        {
            var random = new Random(seed + worker);
            for (var i = 0; i < ops; i++)
            {
                using var client = silos[random.Next(silos.Count)].Client();
                var key = $"k{random.Next(4)}";
                var read = await client.GetAsync("pg", key);
                await client.PutAsync("pg", key, $"\"w{worker}-{i}\"", random.Next(4) == 0 ? null : read.Context);
            }
        }

        await Task.WhenAll(Enumerable.Range(0, 4).Select(w => WorkAsync(w, 15)));
        cluster.Cut("A", "B");
        await Task.WhenAll(Enumerable.Range(4, 4).Select(w => WorkAsync(w, 15)));
        cluster.Heal("A", "B");
        await Task.WhenAll(Enumerable.Range(8, 4).Select(w => WorkAsync(w, 10)));
        await cluster.WaitForQuiescenceAsync(Quiesce);

        await cluster.AssertConvergedAsync();
        for (var k = 0; k < 4; k++)
        {
            var reads = new List<(string Silo, KvRead Read)>();
            foreach (var silo in silos)
            {
                using var client = silo.Client();
                reads.Add((silo.ToString(), await client.GetAsync("pg", $"k{k}")));
            }

            foreach (var (name, read) in reads.Skip(1))
            {
                Assert.True(reads[0].Read.ToString() == read.ToString(), $"Seed {seed}, key k{k}: silo {reads[0].Silo} answers {reads[0].Read}, silo {name} answers {read}.");
            }
        }

        foreach (var region in cluster.Regions.Values)
        {
            var shipping = 0;
            foreach (var silo in region.Silos)
            {
                var status = await ((IReplicationStatus)silo.Services.GetService(typeof(IReplicationStatus))!).GetPeersAsync(CancellationToken.None);
                shipping += status.Count(p => p.IsShipping);
                Assert.Equal(0, Assert.Single(status).Backlog);
            }

            Assert.True(shipping == 1, $"Region {region}: {shipping} silos run the shipper, expected exactly 1.");
        }
    }
}
