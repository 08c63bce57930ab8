using OrleansCausal.Replication.Collection;

namespace OrleansCausal.Replication.Tests.Collection;

/// <summary>The stable cut over member reports: per origin, the lowest position any member applied; held back until
/// every member has applied every origin through the heads.</summary>
public sealed class StableCutTests
{
    private static MemberReport Member(string region, long head, params (string Origin, long Applied)[] applied) =>
        new(region, $"{region}.00000001", head, applied.ToDictionary(a => $"{a.Origin}.00000001", a => a.Applied));

    [Fact]
    public void Compute_TakesPerOriginTheLowestPositionAnyMemberApplied_CountingAMembersOwnFeedAsAppliedThroughItsHead()
    {
        var members = new[]
        {
            Member("A", 10, ("B", 7), ("C", 3)),
            Member("B", 8, ("A", 9), ("C", 5)),
            Member("C", 5, ("A", 4), ("B", 8)),
        };

        var cut = StableCut.Compute(members);

        Assert.Equal(new Dictionary<string, long> { ["A.00000001"] = 4, ["B.00000001"] = 7, ["C.00000001"] = 3 }, cut);
    }

    [Fact]
    public void HeldBackBy_WhenAMemberLacksPartOfAnOriginsFeed_NamesItAndOtherwiseIsNull()
    {
        var heads = new Dictionary<string, long> { ["A.00000001"] = 10, ["B.00000001"] = 8 };
        var behind = new[] { Member("A", 10, ("B", 8)), Member("B", 8, ("A", 9)) };
        var caughtUp = new[] { Member("A", 12, ("B", 8)), Member("B", 9, ("A", 10)) };

        Assert.Equal("region B has applied A.00000001 only through 9 of 10", StableCut.HeldBackBy(behind, heads));
        Assert.Null(StableCut.HeldBackBy(caughtUp, heads));
    }

    [Fact]
    public void HeldBackBy_WhenAMemberNeverAppliedAnOrigin_HoldsBack()
    {
        var heads = new Dictionary<string, long> { ["A.00000001"] = 1 };
        Assert.NotNull(StableCut.HeldBackBy([Member("A", 1), Member("B", 0)], heads));
    }
}
