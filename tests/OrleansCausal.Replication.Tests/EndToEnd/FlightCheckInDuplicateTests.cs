using OrleansCausal.Core;
using OrleansCausal.Replication.Tests.TestCluster;

namespace OrleansCausal.Replication.Tests.EndToEnd;

/// <summary>
/// The flight check-in of DESIGN.md §1 with the talk's production lesson: the phone's request is delivered twice, once
/// in each region, while the regions are cut off (a queue message dequeued in both data centres). With an
/// Idempotency-Key the two copies are one operation: once the agent overwrites the copy it saw, the other copy is
/// gone everywhere, and both regions end with the single value 5C — exactly as without the duplicate. The same run
/// without the key, on another record, keeps the stray copy as a sibling (the control).
/// </summary>
public sealed class FlightCheckInDuplicateTests
{
    private static readonly TimeSpan Quiesce = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task FlightCheckIn_WhenThePhonesRequestIsDeliveredInBothRegions_EndsWithTheSingleValue5C()
    {
        await using var cluster = await TestCluster.TestCluster.StartAsync(new TestClusterOptions { Regions = ["A", "B"] });
        using var a = cluster["A"].Client();
        using var b = cluster["B"].Client();
        var replicaA = cluster["A"].Silo.Store.Replica;
        var replicaB = cluster["B"].Silo.Store.Replica;
        string DotA(int n) => new Dot(replicaA, (ulong)n).ToString();

        var keyed = await RunCheckInAsync(cluster, a, b, "pax-1-seat", phoneOperation: "phone-msg-7f3a");
        var control = await RunCheckInAsync(cluster, a, b, "pax-2-seat", phoneOperation: null);

        Assert.Equal([(DotA(4), "\"5C\"")], keyed.A.Siblings.Select(s => (s.Dot, s.Value)));
        Assert.Equal([(DotA(4), "\"5C\"")], keyed.B.Siblings.Select(s => (s.Dot, s.Value)));
        Assert.Equal(keyed.A.Context, keyed.B.Context);
        Assert.Equal(["\"10D\"", "\"5C\""], control.B.Values.Order(StringComparer.Ordinal));
        Assert.Equal(control.A.Values.Order(StringComparer.Ordinal), control.B.Values.Order(StringComparer.Ordinal));
        var records = await cluster.AssertConvergedAsync();
        var phone = records.Single(r => r.Key.Key == "pax-1-seat").Record;
        Assert.True(phone.Clock.Covers(new Dot(replicaB, 1)));
    }

    /// <summary>Cut; browser 12F at A (A1); the phone's 10D delivered at A (A2) and at B (B1); browser 10F with its
    /// context {A:1} (A3); the agent reads at A and writes 5C (A4, which covers A2 but not B1); heal.</summary>
    private static async Task<(KvRead A, KvRead B)> RunCheckInAsync(TestCluster.TestCluster cluster, KvClient a, KvClient b, string key, string? phoneOperation)
    {
        cluster.Cut("A", "B");
        var browser = await a.PutAsync("flights", key, "\"12F\"", context: null);
        if (phoneOperation is null)
        {
            await a.PutAsync("flights", key, "\"10D\"", context: null);
            await b.PutAsync("flights", key, "\"10D\"", context: null);
        }
        else
        {
            Assert.False((await a.PutKeyedAsync("flights", key, "\"10D\"", phoneOperation)).Replayed);
            Assert.False((await b.PutKeyedAsync("flights", key, "\"10D\"", phoneOperation)).Replayed);
        }

        await a.PutAsync("flights", key, "\"10F\"", browser.Context);
        var agentRead = await a.GetAsync("flights", key);
        var agent = await a.PutAsync("flights", key, "\"5C\"", agentRead.Context);
        Assert.Equal(["\"5C\""], agent.Values);

        cluster.Heal("A", "B");
        await cluster.WaitForQuiescenceAsync(Quiesce);
        if (phoneOperation is not null)
        {
            // A retry of the phone's request after the regions met is answered as a replay in either region.
            Assert.True((await b.PutKeyedAsync("flights", key, "\"10D\"", phoneOperation)).Replayed);
            Assert.True((await a.PutKeyedAsync("flights", key, "\"10D\"", phoneOperation)).Replayed);
        }

        return (await a.GetAsync("flights", key), await b.GetAsync("flights", key));
    }
}
