using OrleansCausal.Replication.Tests.TestCluster;

namespace OrleansCausal.Replication.Tests.EndToEnd;

/// <summary>
/// A sender with several batches in flight (<c>Replication:MaxBatchesInFlight</c>) catching up over a link that delays
/// each request by a random time (so batches overtake each other) and delivers copies late. With the receiver's
/// reorder wait, every batch that overtook its predecessor is held until the predecessor is applied: no gap is refused
/// and the regions converge. The control, without the wait, shows that batches did overtake (the receiver refused
/// gaps) and that the sender still converges by rewinding.
/// </summary>
public sealed class PipelinedShippingTests
{
    private static readonly TimeSpan Quiesce = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task CatchUp_WhenPipelinedBatchesOvertakeEachOther_ReceiverHoldsThemAndRefusesNoGap()
    {
        var link = await CatchUpOverAReorderingLinkAsync(reorderWait: TimeSpan.FromSeconds(10));

        Assert.Equal(0, link.Gaps);
    }

    [Fact]
    public async Task CatchUp_WhenPipelinedBatchesOvertakeEachOtherWithoutAReorderWait_SenderRewindsAndConverges()
    {
        var link = await CatchUpOverAReorderingLinkAsync(reorderWait: TimeSpan.Zero);

        Assert.True(link.Gaps > 0, $"No batch overtook another, so the test shows nothing: {link}.");
    }

    /// <summary>Writes a backlog at A while B is cut off, heals the link with random delays and duplicates, waits for
    /// the catch-up, and checks that both regions hold the same records and B has applied all of A's feed.</summary>
    private static async Task<LinkFaults> CatchUpOverAReorderingLinkAsync(TimeSpan reorderWait)
    {
        await using var cluster = await TestCluster.TestCluster.StartAsync(new TestClusterOptions
        {
            Regions = ["A", "B"],
            Seed = 7,
            Settings = new Dictionary<string, string?>
            {
                ["Replication:BatchSize"] = "4",
                ["Replication:CatchUpBatchSize"] = "4",
                ["Replication:MaxBatchesInFlight"] = "4",
                ["Replication:ReorderWait"] = reorderWait.ToString("c", System.Globalization.CultureInfo.InvariantCulture),
            },
        });
        using var a = cluster["A"].Client();
        cluster.Cut("A", "B");
        for (var i = 0; i < 160; i++)
        {
            await a.PutAsync("pipelined", $"k{i % 50}", $"{i}", context: null);
        }

        cluster.Heal("A", "B");
        var link = cluster.Link("A", "B");
        link.MaxDelay = TimeSpan.FromMilliseconds(40);
        link.DuplicateProbability = 0.2;
        await cluster.WaitForQuiescenceAsync(Quiesce);
        link.Heal();
        await cluster.WaitForQuiescenceAsync(Quiesce);

        var converged = await cluster.AssertConvergedAsync();
        Assert.Equal(50, converged.Count);
        var source = cluster["A"].Silo.Store.Replica.ToString();
        Assert.Equal(await cluster["A"].Silo.Store.GetLastSequenceAsync(CancellationToken.None),
            await cluster["B"].Silo.Store.GetInboundPositionAsync(source, CancellationToken.None));
        return link;
    }
}
