using OrleansCausal.Replication.Tests.TestCluster;

namespace OrleansCausal.Replication.Tests.EndToEnd;

/// <summary>A batch lost after a (lying) acknowledgement: the next batch skips ahead, the receiver answers 409 with
/// its position, the sender rewinds and resends, and the lost batch arriving late changes nothing.</summary>
public sealed class GapDetectionTests
{
    private static readonly TimeSpan Quiesce = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Ship_WhenABatchIsLostAfterAck_ReceiverRefusesTheGapAndSenderRewinds()
    {
        await using var cluster = await TestCluster.TestCluster.StartAsync(new TestClusterOptions { Regions = ["A", "B"] });
        using var a = cluster["A"].Client();
        var link = cluster.Link("A", "B");

        var held = link.HoldNextAsync();
        await a.PutAsync("gap", "first", "1", context: null);
        await held.WaitAsync(Quiesce);
        Assert.Equal(0, await cluster["B"].Silo.Store.GetInboundPositionAsync(cluster["A"].Silo.Store.Replica.ToString(), CancellationToken.None));

        await a.PutAsync("gap", "second", "2", context: null);
        await cluster.WaitForQuiescenceAsync(Quiesce);

        Assert.True(link.Gaps >= 1, $"The receiver never refused a gap: {link}.");
        var converged = await cluster.AssertConvergedAsync();
        Assert.Equal(["first", "second"], converged.Select(r => r.Key.Key));
        Assert.Equal(2, await cluster["B"].Silo.Store.GetInboundPositionAsync(cluster["A"].Silo.Store.Replica.ToString(), CancellationToken.None));

        await link.ReleaseHeldAsync();
        var afterLate = await cluster.AssertConvergedAsync();
        Assert.Equal(converged.Select(r => r.Record), afterLate.Select(r => r.Record));
        Assert.Equal(2, await cluster["B"].Silo.Store.GetInboundPositionAsync(cluster["A"].Silo.Store.Replica.ToString(), CancellationToken.None));
    }
}
