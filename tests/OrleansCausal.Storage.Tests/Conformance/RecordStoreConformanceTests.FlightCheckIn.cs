using OrleansCausal.Core;

namespace OrleansCausal.Storage.Tests.Conformance;

/// <summary>The flight check-in example of DESIGN.md §1, step by step, through two real stores.</summary>
public abstract partial class RecordStoreConformanceTests
{
    [Theory]
    [InlineData(true, true)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    [InlineData(false, false)]
    public async Task FlightCheckIn_WhenReplicatedInAnyOrder_ConvergesOn5C(bool aToBFirst, bool a3BeforeA2)
    {
        var (a, _) = await NewStoreAsync(RegionA);
        var (b, _) = await NewStoreAsync(RegionB);
        var seat = Key("passenger-42", "seats");
        var ra = a.Replica;
        var rb = b.Replica;

        // The browser writes 12F at A with no context; the mobile app writes 10D at B with no context.
        var a1 = await PutAsync(a, seat, "\"12F\"");
        var b1 = await PutAsync(b, seat, "\"10D\"");
        AssertBins(await a.ReadAsync(seat, Ct), (new Dot(ra, 1), "\"12F\""));
        AssertBins(await b.ReadAsync(seat, Ct), (new Dot(rb, 1), "\"10D\""));

        // Replication: both regions hold {A1, B1} — siblings.
        long aShipped, bShipped;
        if (aToBFirst)
        {
            aShipped = await ReplicateAsync(a, b);
            bShipped = await ReplicateAsync(b, a);
        }
        else
        {
            bShipped = await ReplicateAsync(b, a);
            aShipped = await ReplicateAsync(a, b);
        }

        var atA = await a.ReadAsync(seat, Ct);
        var atB = await b.ReadAsync(seat, Ct);
        var siblings = new[] { (new Dot(ra, 1), (string?)"\"12F\""), (new Dot(rb, 1), "\"10D\"") }
            .OrderBy(x => x.Item1).ToArray();
        AssertBins(atA, siblings);
        Assert.Equal(atA, atB);
        Assert.Equal(Vector((ra, 1), (rb, 1)), atA.Clock);

        // The browser writes 10F at A with context {A:1}: A1 is dropped, B1 stays (concurrent).
        var a2 = await PutAsync(a, seat, "\"10F\"", a1.Record.Context);
        Assert.Equal(new Dot(ra, 2), a2.Written.Dot);
        Assert.Equal(Vector((ra, 1)), a2.Written.Context);
        AssertBins(await a.ReadAsync(seat, Ct), new[] { (new Dot(ra, 2), (string?)"\"10F\""), (new Dot(rb, 1), "\"10D\"") }.OrderBy(x => x.Item1).ToArray());

        // The agent reads at A (context {A:2, B:1}) and writes 5C: A2 and B1 are dropped.
        var agentRead = await a.ReadAsync(seat, Ct);
        Assert.Equal(Vector((ra, 2), (rb, 1)), agentRead.Context);
        var a3 = await PutAsync(a, seat, "\"5C\"", agentRead.Context);
        Assert.Equal(new Dot(ra, 3), a3.Written.Dot);
        AssertBins(await a.ReadAsync(seat, Ct), (new Dot(ra, 3), "\"5C\""));

        // Region B receives A3 (before or after A2): it drops B1 and never resurrects A1 or A2.
        var changes = await a.ReadChangesAsync(aShipped, 10, Ct);
        Assert.Equal([new Dot(ra, 2), new Dot(ra, 3)], changes.Select(c => c.Bin.Dot).ToArray());
        var delivery = a3BeforeA2 ? changes.Reverse().ToArray() : changes.ToArray();
        foreach (var change in delivery)
        {
            await b.MergeAsync([new KeyedBin(change.Key, change.Bin)], null, Ct);
            if (change.Bin.Dot == new Dot(ra, 3))
            {
                AssertBins(await b.ReadAsync(seat, Ct), (new Dot(ra, 3), "\"5C\""));
            }
        }

        // A full resend of A1 (already superseded) changes nothing at B.
        var resend = await b.MergeAsync([new KeyedBin(seat, a1.Written), new KeyedBin(seat, b1.Written)], null, Ct);
        Assert.Equal(0, resend.Added);

        // B has nothing new for A; all regions end with the single value 5C and identical clocks.
        await ReplicateAsync(b, a, bShipped);
        var finalA = await a.ReadAsync(seat, Ct);
        var finalB = await b.ReadAsync(seat, Ct);
        AssertBins(finalA, (new Dot(ra, 3), "\"5C\""));
        Assert.Equal(finalA, finalB);
        Assert.Equal(Vector((ra, 3), (rb, 1)), finalB.Clock);
    }
}
