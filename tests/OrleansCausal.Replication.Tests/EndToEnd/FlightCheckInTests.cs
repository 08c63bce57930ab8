using OrleansCausal.Core;
using OrleansCausal.Replication.Tests.TestCluster;
using OrleansCausal.Storage;

namespace OrleansCausal.Replication.Tests.EndToEnd;

/// <summary>The flight check-in example of DESIGN.md §1 across two real regions over HTTP, with the link cut
/// while the regions diverge and healed when they must exchange bins.</summary>
public sealed class FlightCheckInTests
{
    private static readonly TimeSpan Quiesce = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task FlightCheckIn_AcrossTwoRegionsWithCutAndHeal_EndsWithSingleValue5C()
    {
        await using var cluster = await TestCluster.TestCluster.StartAsync(new TestClusterOptions { Regions = ["A", "B"] });
        using var a = cluster["A"].Client();
        using var b = cluster["B"].Client();
        var replicaA = cluster["A"].Silo.Store.Replica;
        var replicaB = cluster["B"].Silo.Store.Replica;
        string DotA(int n) => new Dot(replicaA, (ulong)n).ToString();
        string DotB(int n) => new Dot(replicaB, (ulong)n).ToString();

        // Step 1: the regions are cut off; browser at A and mobile at B write blind.
        cluster.Cut("A", "B");
        var browser = await a.PutAsync("flights", "pax-1/seat", "\"12F\"", context: null);
        var mobile = await b.PutAsync("flights", "pax-1/seat", "\"10D\"", context: null);
        Assert.Equal([(DotA(1), "\"12F\"")], browser.Siblings.Select(s => (s.Dot, s.Value)));
        Assert.Equal([(DotB(1), "\"10D\"")], mobile.Siblings.Select(s => (s.Dot, s.Value)));

        // Step 2: heal; both regions hold the two siblings A1{12F}, B1{10D}.
        cluster.Heal("A", "B");
        await cluster.WaitForQuiescenceAsync(Quiesce);
        var siblings = new[] { (DotA(1), "\"12F\""), (DotB(1), "\"10D\"") }.OrderBy(x => x.Item1, StringComparer.Ordinal).ToArray();
        Assert.Equal(siblings, (await a.GetAsync("flights", "pax-1/seat")).Siblings.Select(s => (s.Dot, s.Value)));
        Assert.Equal(siblings, (await b.GetAsync("flights", "pax-1/seat")).Siblings.Select(s => (s.Dot, s.Value)));

        // Step 3: cut again; the browser writes 10F at A with its context {A:1}: A1 goes, B1 stays (concurrent).
        cluster.Cut("A", "B");
        var browser2 = await a.PutAsync("flights", "pax-1/seat", "\"10F\"", browser.Context);
        Assert.Equal(new[] { (DotA(2), "\"10F\""), (DotB(1), "\"10D\"") }.OrderBy(x => x.Item1, StringComparer.Ordinal),
            browser2.Siblings.Select(s => (s.Dot, s.Value)));

        // Step 4: the agent reads at A (context {A:2, B:1}) and writes 5C: A2 and B1 go.
        var agentRead = await a.GetAsync("flights", "pax-1/seat");
        var agent = await a.PutAsync("flights", "pax-1/seat", "\"5C\"", agentRead.Context);
        Assert.Equal([(DotA(3), "\"5C\"")], agent.Siblings.Select(s => (s.Dot, s.Value)));
        Assert.Equal(siblings, (await b.GetAsync("flights", "pax-1/seat")).Siblings.Select(s => (s.Dot, s.Value)));

        // Step 5: heal; B receives A3, drops B1, and never shows A1 or A2. Both regions hold exactly 5C.
        cluster.Heal("A", "B");
        await cluster.WaitForQuiescenceAsync(Quiesce);
        var finalA = await a.GetAsync("flights", "pax-1/seat");
        var finalB = await b.GetAsync("flights", "pax-1/seat");
        Assert.Equal([(DotA(3), "\"5C\"")], finalA.Siblings.Select(s => (s.Dot, s.Value)));
        Assert.Equal([(DotA(3), "\"5C\"")], finalB.Siblings.Select(s => (s.Dot, s.Value)));
        Assert.Equal(finalA.Context, finalB.Context);
        var records = await cluster.AssertConvergedAsync();
        var record = Assert.Single(records).Record;
        Assert.Equal(3UL, record.Clock.Get(replicaA));
        Assert.Equal(1UL, record.Clock.Get(replicaB));

        // A stale redelivery of A1 and A2 (e.g. a late duplicate) resurrects nothing at B.
        var stale = (await cluster["A"].Silo.Store.ReadChangesAsync(0, 10, CancellationToken.None)).Take(2).ToList();
        Assert.Equal([DotA(1), DotA(2)], stale.Select(e => e.Bin.Dot.ToString()));
        var applied = await cluster["B"].Silo.Store.MergeAsync(stale.Select(e => new KeyedBin(e.Key, e.Bin)).ToList(), null, CancellationToken.None);
        Assert.Equal(0, applied.Added);
        Assert.Equal([(DotA(3), "\"5C\"")], (await b.GetAsync("flights", "pax-1/seat")).Siblings.Select(s => (s.Dot, s.Value)));
    }
}
