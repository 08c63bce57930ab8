using OrleansCausal.Core;
using static OrleansCausal.Core.Tests.TestReplicas;

namespace OrleansCausal.Core.Tests;

/// <summary>The worked example of DESIGN.md §1, step by step, with the bins asserted after every step.</summary>
public sealed class FlightCheckInTests
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void FlightCheckIn_WhenReplicatedInEitherOrder_EndsWithTheAgentsSeatEverywhere(bool aReceivesFirst)
    {
        var a = CausalRecord.Empty;
        var b = CausalRecord.Empty;

        // Browser writes 12F at A with no context → A1{12F}.
        a = a.Put(A, Json("12F"), VersionVector.Empty, T0).Record;
        AssertBins(a, (Dot(A, 1), "12F"));

        // Mobile writes 10D at B with no context → B1{10D}.
        b = b.Put(B, Json("10D"), VersionVector.Empty, T0.AddSeconds(1)).Record;
        AssertBins(b, (Dot(B, 1), "10D"));

        // Replication, in either order: both regions hold {A1, B1} — siblings.
        (a, b) = Exchange(a, b, aReceivesFirst);
        AssertBins(a, (Dot(A, 1), "12F"), (Dot(B, 1), "10D"));
        AssertBins(b, (Dot(A, 1), "12F"), (Dot(B, 1), "10D"));
        Assert.Equal(a, b);

        // Browser writes 10F at A with context {A:1} → A2{10F, ctx A:1}; A1 dropped, B1 stays (concurrent).
        var a2 = a.Put(A, Json("10F"), Vector((A, 1)), T0.AddSeconds(2));
        a = a2.Record;
        Assert.Equal(Dot(A, 2), a2.Written.Dot);
        Assert.Equal(Vector((A, 1)), a2.Written.Context);
        AssertBins(a, (Dot(A, 2), "10F"), (Dot(B, 1), "10D"));

        // The agent reads at A (context {A:2, B:1}) and writes 5C → A3{5C, ctx A:2,B:1}; A2 and B1 dropped.
        var agentContext = a.Context;
        Assert.Equal(Vector((A, 2), (B, 1)), agentContext);
        var a3 = a.Put(A, Json("5C"), agentContext, T0.AddSeconds(3));
        a = a3.Record;
        Assert.Equal(Dot(A, 3), a3.Written.Dot);
        AssertBins(a, (Dot(A, 3), "5C"));

        // Region B receives A3 (and maybe A2, before or after): drops B1 and never resurrects A1 or A2.
        var a2Bin = a2.Written;
        var a3Bin = a3.Written;
        b = aReceivesFirst
            ? b.Merge([a3Bin]).Record.Merge([a2Bin]).Record
            : b.Merge([a2Bin]).Record.Merge([a3Bin]).Record;
        AssertBins(b, (Dot(A, 3), "5C"));

        // Later redelivery of the old bins changes nothing.
        var stale = CausalRecord.Empty.Put(A, Json("12F"), VersionVector.Empty, T0).Written;
        Assert.False(b.Merge([stale, a2Bin]).Changed);

        // All regions end with the single value 5C and identical clocks.
        (a, b) = Exchange(a, b, aReceivesFirst);
        Assert.Equal(a, b);
        Assert.Equal(Vector((A, 3), (B, 1)), b.Clock);
    }

    private static (CausalRecord A, CausalRecord B) Exchange(CausalRecord a, CausalRecord b, bool aReceivesFirst)
    {
        if (aReceivesFirst)
        {
            var newA = a.Merge(b.Bins).Record;
            return (newA, b.Merge(a.Bins).Record);
        }

        var newB = b.Merge(a.Bins).Record;
        return (a.Merge(b.Bins).Record, newB);
    }

    private static void AssertBins(CausalRecord record, params (Dot Dot, string Seat)[] expected)
    {
        var actual = record.Bins.Select(bin => (bin.Dot, bin.Value)).OrderBy(x => x.Dot).ToArray();
        var wanted = expected.Select(e => (e.Dot, (string?)Json(e.Seat))).OrderBy(x => x.Dot).ToArray();
        Assert.Equal(wanted, actual);
        foreach (var bin in record.Bins)
        {
            Assert.True(record.Clock.Covers(bin.Dot), $"clock {record.Clock} must cover {bin.Dot}");
        }
    }
}
