using Microsoft.Extensions.DependencyInjection;
using OrleansCausal.Replication.Tests.TestCluster;
using OrleansCausal.Runtime.Replication;
using OrleansCausal.Storage;
using OrleansCausal.Tests.Shared;

namespace OrleansCausal.Replication.Tests.EndToEnd;

/// <summary>
/// Once region B acknowledged a batch, a read without a context on either of B's two silos shows it — with the
/// store's cross-silo notices (LISTEN/NOTIFY) suppressed, so only the replicator's own notice to every silo, sent
/// before the acknowledgement, can explain it. The record grains of both silos were active (and cached the old
/// value) before the merge.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class MultiSiloReadAfterAckTests(PostgresServer server)
{
    private static readonly TimeSpan Quiesce = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task BatchAcknowledged_ReadWithoutContextOnEverySiloOfTheRegion_ShowsIt()
    {
        await using var cluster = await TestCluster.TestCluster.StartAsync(new TestClusterOptions
        {
            Regions = ["A", "B"],
            SilosPerRegion = 2,
            StoreForRegion = async region => "postgres:" + await server.CreateDatabaseAsync("ack" + region.ToLowerInvariant()),
            ConfigureServices = (_, services) =>
            {
                var registered = services.Last(d => d.ServiceType == typeof(IRecordStore));
                services.Remove(registered);
                services.AddSingleton<IRecordStore>(sp => new DecoratedStore((IRecordStore)registered.ImplementationFactory!(sp), localNoticesOnly: true));
            },
        });
        var a = cluster["A"].Silos[0];
        var bSilos = cluster["B"].Silos;
        for (var round = 0; round < 5; round++)
        {
            var keys = Enumerable.Range(0, 8).Select(i => $"r{round}k{i}").ToList();
            using (var writer = a.Client())
            {
                foreach (var key in keys)
                {
                    await writer.PutAsync("ack", key, $"\"old {key}\"", context: null);
                }
            }

            await cluster.WaitForQuiescenceAsync(Quiesce);
            await ReadEverywhereAsync(bSilos, keys, "old", $"round {round}, before");

            using (var writer = a.Client())
            {
                foreach (var key in keys)
                {
                    var read = await writer.GetAsync("ack", key);
                    await writer.PutAsync("ack", key, $"\"new {key}\"", read.Context);
                }
            }

            await WaitForAcknowledgementAsync(cluster["A"], $"round {round}");
            await ReadEverywhereAsync(bSilos, keys, "new", $"round {round}, after the acknowledgement");
        }
    }

    private static async Task ReadEverywhereAsync(IEnumerable<TestSilo> silos, IReadOnlyList<string> keys, string expected, string phase)
    {
        foreach (var silo in silos)
        {
            using var client = silo.Client();
            foreach (var key in keys)
            {
                var values = (await client.GetAsync("ack", key)).Values.ToList();
                Assert.True(values.SequenceEqual([$"\"{expected} {key}\""]), $"Phase {phase}: silo {silo} reads {key} as [{string.Join(", ", values)}], expected [\"{expected} {key}\"].");
            }
        }
    }

    /// <summary>Waits until A's shipper reports nothing unacknowledged by B (the checkpoint moves only on B's 200).</summary>
    private static async Task WaitForAcknowledgementAsync(TestRegion region, string phase)
    {
        var deadline = DateTime.UtcNow + Quiesce;
        IReadOnlyList<PeerReplicationStatus> status;
        while ((status = await region.StatusAsync()).Single().Backlog > 0)
        {
            Assert.True(DateTime.UtcNow < deadline, $"Phase {phase}: B did not acknowledge; status {status.Single()}.");
            await Task.Delay(5);
        }
    }
}
