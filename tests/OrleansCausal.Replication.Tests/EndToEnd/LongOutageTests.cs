using OrleansCausal.Replication.Tests.TestCluster;
using Xunit.Abstractions;

namespace OrleansCausal.Replication.Tests.EndToEnd;

/// <summary>A peer region is down while thousands of writes happen; the backlog waits in the change feed and drains
/// to zero after it returns.</summary>
public sealed class LongOutageTests(ITestOutputHelper output)
{
    private const int Writes = 3000;

    [Fact]
    public async Task Ship_WhenPeerDownDuringThousandsOfWrites_ConvergesAfterReturnAndBacklogFallsToZero()
    {
        await using var cluster = await TestCluster.TestCluster.StartAsync(new TestClusterOptions { Regions = ["A", "B"] });
        await cluster["B"].Silo.StopAsync();

        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, 16).Select(async _ =>
        {
            using var client = cluster["A"].Client();
            int i;
            while ((i = Interlocked.Increment(ref next)) < Writes)
            {
                await client.PutAsync("bulk", $"k{i % 400}", $"{{\"n\":{i}}}", context: null);
            }
        }));

        var during = Assert.Single(await cluster["A"].StatusAsync());
        Assert.Equal("B", during.Region);
        Assert.Equal(Writes, during.Backlog);
        Assert.Equal(0, during.LastShippedSequence);
        Assert.True(during.Lag > TimeSpan.Zero, "While B is down the lag must grow.");
        Assert.NotNull(during.LastError);

        var started = DateTime.UtcNow;
        await cluster["B"].Silos[0].StartAsync();
        await cluster.WaitForQuiescenceAsync(TimeSpan.FromSeconds(60));
        output.WriteLine($"{Writes} bins caught up in {(DateTime.UtcNow - started).TotalMilliseconds:F0} ms (including B's start)");

        var after = Assert.Single(await cluster["A"].StatusAsync());
        Assert.Equal(0, after.Backlog);
        Assert.Equal(Writes, after.LastShippedSequence);
        Assert.Equal(TimeSpan.Zero, after.Lag);
        Assert.Null(after.LastError);
        var records = await cluster.AssertConvergedAsync();
        Assert.Equal(400, records.Count);
        Assert.Equal(Writes, records.Sum(r => r.Record.Siblings.Count));

        // Checkpoint saves run behind the acknowledgements; an orderly stop must still leave the durable checkpoint
        // at everything B acknowledged (a restarted shipper resumes there, not from an older save).
        await cluster["A"].Silo.RestartAsync();
        Assert.Equal(Writes, await cluster["A"].Silo.Store.GetCheckpointAsync("peer:B", CancellationToken.None));
    }
}
