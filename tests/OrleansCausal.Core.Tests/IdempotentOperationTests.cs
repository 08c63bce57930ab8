using static OrleansCausal.Core.Tests.TestReplicas;

namespace OrleansCausal.Core.Tests;

/// <summary>
/// Operation ids on records: a replay within a region is recognised, the same operation accepted in two regions is
/// shown once (the smaller dot), and once any instance of it was superseded none is shown — whatever arrives where,
/// as long as the remembered operations travel with the record.
/// </summary>
public sealed class IdempotentOperationTests
{
    private static readonly string D10 = Json("10D");
    private static readonly string F10 = Json("10F");

    [Fact]
    public void Put_OfAnOperationTheRecordHolds_IsRefused_AndFindOperationNamesItsDot()
    {
        var once = CausalRecord.Empty.Put(B, D10, VersionVector.Empty, T0, operationId: "phone-1").Record;

        Assert.Equal(Dot(B, 1), once.FindOperation("phone-1"));
        Assert.Null(once.FindOperation("phone-2"));
        Assert.Throws<InvalidOperationException>(() => once.Put(B, D10, VersionVector.Empty, T0, operationId: "phone-1"));
    }

    [Fact]
    public void FindOperation_AfterTheOperationWasSuperseded_StillFindsIt()
    {
        var first = CausalRecord.Empty.Put(A, D10, VersionVector.Empty, T0, operationId: "op").Record;
        var overwritten = first.Put(A, F10, first.Context, T0.AddSeconds(1)).Record;

        Assert.DoesNotContain(overwritten.Bins, b => b.OperationId == "op");
        Assert.Equal(Dot(A, 1), overwritten.FindOperation("op"));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Merge_SameOperationAcceptedInTwoRegions_ShowsTheSmallerDotEverywhere(bool aFirst)
    {
        var atA = CausalRecord.Empty.Put(A, D10, VersionVector.Empty, T0, operationId: "msg-1").Record;
        var atB = CausalRecord.Empty.Put(B, D10, VersionVector.Empty, T0.AddMilliseconds(5), operationId: "msg-1").Record;

        var a = atA.Merge(atB.Bins, atB.Operations).Record;
        var b = atB.Merge(atA.Bins, atA.Operations).Record;
        var merged = aFirst ? a : b;

        Assert.Equal(a, b);
        Assert.Equal([Dot(A, 1)], merged.Siblings.Select(s => s.Dot));
        Assert.True(merged.Clock.Covers(Dot(B, 1)));
        Assert.False(merged.IsShown(merged.Bins.Single(x => x.Dot == Dot(B, 1))));
    }

    [Fact]
    public void Merge_WhenOneInstanceWasSuperseded_ShowsNoInstance_EvenWhereOnlyTheSupersedingBinArrives()
    {
        // A accepts the operation (A1), then overwrites it having read it (A2). B accepted the same operation (B1)
        // before hearing of A. B then receives only A's current record (a full resend: A2 and the remembered set).
        var a1 = CausalRecord.Empty.Put(A, D10, VersionVector.Empty, T0, operationId: "msg-1").Record;
        var a2 = a1.Put(A, F10, a1.Context, T0.AddSeconds(1)).Record;
        var b1 = CausalRecord.Empty.Put(B, D10, VersionVector.Empty, T0, operationId: "msg-1").Record;

        var atB = b1.Merge(a2.Bins, a2.Operations).Record;
        var atA = a2.Merge(b1.Bins, b1.Operations).Record;

        Assert.Equal(atA, atB);
        Assert.Equal([F10], atB.Siblings.Select(s => s.Value));
        Assert.Equal([F10], atA.Siblings.Select(s => s.Value));
    }

    [Fact]
    public void Merge_OfOnlyTheSupersedingBin_WithoutTheRememberedSet_WouldShowTheDuplicate()
    {
        // Why the remembered operations travel with the record: the bin alone does not say which operation it
        // superseded, so B would keep showing its own copy of an operation A already overwrote.
        var a1 = CausalRecord.Empty.Put(A, D10, VersionVector.Empty, T0, operationId: "msg-1").Record;
        var a2 = a1.Put(A, F10, a1.Context, T0.AddSeconds(1)).Record;
        var b1 = CausalRecord.Empty.Put(B, D10, VersionVector.Empty, T0, operationId: "msg-1").Record;

        var binsOnly = b1.Merge(a2.Bins).Record;
        var withRemembered = binsOnly.Merge([], a2.Operations);

        Assert.Equal([D10, F10], binsOnly.Siblings.Select(s => s.Value).Order(StringComparer.Ordinal));
        Assert.True(withRemembered.Changed);
        Assert.Equal([F10], withRemembered.Record.Siblings.Select(s => s.Value));
    }

    [Fact]
    public void Merge_WhenTheLargerInstanceWasSupersededBeforeTheRegionsMet_ShowsNoInstance()
    {
        // B accepted the operation (B1) and overwrote it (B2, context {B:1}); A accepted it too (A1 < B1).
        var a1 = CausalRecord.Empty.Put(A, D10, VersionVector.Empty, T0, operationId: "msg-1").Record;
        var b1 = CausalRecord.Empty.Put(B, D10, VersionVector.Empty, T0, operationId: "msg-1").Record;
        var b2 = b1.Put(B, F10, b1.Context, T0.AddSeconds(1)).Record;

        // A hears of B through B's feed (B1, then B2); B hears of A1.
        var atA = a1.Merge([b1.Bins[0]], b1.Operations).Record.Merge(b2.Bins).Record;
        var atB = b2.Merge(a1.Bins, a1.Operations).Record;

        Assert.Equal(atA, atB);
        Assert.Equal([F10], atA.Siblings.Select(s => s.Value));
    }

    [Fact]
    public void Values_GroupEqualSiblings_AndResolversSeeEachValueOnce()
    {
        // Three blind writes of 10D (no operation ids: three operations) and one of 10F.
        var record = CausalRecord.Empty.Put(A, D10, VersionVector.Empty, T0).Record
            .Merge(CausalRecord.Empty.Put(B, D10, VersionVector.Empty, T0).Record.Bins).Record
            .Merge(CausalRecord.Empty.Put(C, D10, VersionVector.Empty, T0).Record.Bins).Record
            .Put(A, F10, VersionVector.Empty, T0.AddSeconds(1)).Record;

        Assert.Equal(4, record.Siblings.Count);
        Assert.Equal([(D10, 3), (F10, 1)], record.Values.Select(v => (v.Value, v.Dots.Count)));
        // One sibling per value: for 10D the latest accepted (ties: the largest dot, C1), sorted by dot.
        Assert.Equal([Dot(A, 2), Dot(C, 1)], record.DistinctSiblings.Select(s => s.Dot));
    }

    [Fact]
    public void Delete_WithAnOperationId_IsRememberedLikeAPut()
    {
        var live = CausalRecord.Empty.Put(A, D10, VersionVector.Empty, T0).Record;
        var deleted = live.Delete(A, live.Context, T0.AddSeconds(1), operationId: "cancel-1").Record;

        Assert.False(deleted.HasLiveValue);
        Assert.Equal(Dot(A, 2), deleted.FindOperation("cancel-1"));
    }
}
