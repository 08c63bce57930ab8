using Microsoft.Extensions.DependencyInjection;
using OrleansCausal.Replication.Tests.TestCluster;
using OrleansCausal.Storage;

namespace OrleansCausal.Replication.Tests.EndToEnd;

/// <summary>A peer that was away longer than the change feed was kept: the shipper finds the unacknowledged part of the
/// feed gone, repairs the peer with a full resend (never ships past the hole), moves on, and the status says so.</summary>
public sealed class PrunedFeedTests
{
    private static readonly TimeSpan Quiesce = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Ship_WhenUnacknowledgedFeedWasPruned_RepairsByFullResendAndStatusSaysSo()
    {
        DecoratedStore? storeA = null;
        await using var cluster = await TestCluster.TestCluster.StartAsync(new TestClusterOptions
        {
            Regions = ["A", "B"],
            Settings = new Dictionary<string, string?> { ["Replication:FeedHoleTimeout"] = "00:00:00.200" },
            ConfigureServices = (region, services) =>
            {
                if (region != "A")
                {
                    return;
                }

                var registered = services.Last(d => d.ServiceType == typeof(IRecordStore));
                services.Remove(registered);
                services.AddSingleton<IRecordStore>(sp => storeA = new DecoratedStore((IRecordStore)registered.ImplementationFactory!(sp)));
            },
        });
        using var a = cluster["A"].Client();
        for (var i = 0; i < 10; i++)
        {
            await a.PutAsync("pruned", $"k{i}", $"\"before {i}\"", context: null);
        }

        await cluster.WaitForQuiescenceAsync(Quiesce);
        Assert.Null(Assert.Single(await cluster["A"].StatusAsync()).Repair);

        cluster.Cut("A", "B");
        // Prune before the writes the peer misses are made, so the shipper can never have read (and kept in memory)
        // an entry that is then pruned: all but the last 5 of the 40 writes below are gone from the feed it reads.
        var cutAt = await cluster["A"].Silo.Store.GetLastSequenceAsync(CancellationToken.None);
        storeA!.PrunedThrough = cutAt + 35;
        for (var i = 0; i < 40; i++)
        {
            var read = await a.GetAsync("pruned", $"k{i % 20}");
            await a.PutAsync("pruned", $"k{i % 20}", $"\"during {i}\"", i % 3 == 0 ? null : read.Context);
        }

        var last = await cluster["A"].Silo.Store.GetLastSequenceAsync(CancellationToken.None);
        Assert.Equal(cutAt + 40, last);
        cluster.Heal("A", "B");
        await cluster.WaitForQuiescenceAsync(Quiesce);

        await cluster.AssertConvergedAsync();
        var status = Assert.Single(await cluster["A"].StatusAsync());
        Assert.Equal(last, status.LastShippedSequence);
        Assert.True(status.Repair is { } repair && repair.StartsWith("full resend finished", StringComparison.Ordinal) && repair.Contains("pruned", StringComparison.Ordinal),
            $"Expected the status to report a finished full resend because of the pruned feed, saw '{status.Repair}'.");
    }
}
