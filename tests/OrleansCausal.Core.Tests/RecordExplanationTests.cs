using OrleansCausal.Core;
using OrleansCausal.Core.Explain;
using OrleansCausal.Core.Resolvers;
using static OrleansCausal.Core.Tests.TestReplicas;

namespace OrleansCausal.Core.Tests;

/// <summary>The explain function on the flight check-in's states (DESIGN.md §1), the sibling cap and the resolvers' reasons.</summary>
public sealed class RecordExplanationTests
{
    [Fact]
    public void Explain_WhenTwoBlindWritesReplicated_SaysNeitherContextSawTheOther()
    {
        var record = Siblings12F10D();

        var explanation = RecordExplanation.Explain(record, LwwResolver.Instance, A);

        Assert.Equal(Vector((A, 1), (B, 1)), explanation.Clock);
        Assert.Equal([Dot(A, 1), Dot(B, 1)], explanation.Bins.Select(b => b.Dot));
        var pair = Assert.Single(explanation.Pairs);
        Assert.True(pair.Concurrent);
        Assert.Equal(new ContextGap(Dot(A, 1), Dot(B, 1), 0), pair.FirstMissesSecond);
        Assert.Equal(new ContextGap(Dot(B, 1), Dot(A, 1), 0), pair.SecondMissesFirst);
        Assert.Equal(
            $"{Dot(A, 1)} and {Dot(B, 1)} are concurrent: the context of {Dot(A, 1)} has {B}:0, below 1, so it did not see {Dot(B, 1)}, " +
            $"and the context of {Dot(B, 1)} has {A}:0, below 1, so it did not see {Dot(A, 1)}.",
            pair.Reason);
        Assert.Equal(0, explanation.OmittedPairs);
    }

    [Fact]
    public void Explain_WithTheRecordsOwnContext_SupersedesEveryBin()
    {
        var explanation = RecordExplanation.Explain(Siblings12F10D(), LwwResolver.Instance, A);

        Assert.Equal(Vector((A, 1), (B, 1)), explanation.WriteContext);
        Assert.Equal([Dot(A, 1), Dot(B, 1)], explanation.WouldSupersede);
        Assert.Empty(explanation.WouldPrune);
        Assert.Empty(explanation.WouldKeep);
        Assert.Equal(Dot(A, 2), explanation.NextDot);
    }

    [Fact]
    public void Explain_WithTheBrowsersOlderContext_SupersedesOnlyWhatItSaw()
    {
        // The browser read only its own 12F ({A:1}) and changes to 10F: A1 goes, the phone's 10D stays.
        var explanation = RecordExplanation.Explain(Siblings12F10D(), LwwResolver.Instance, A, Vector((A, 1)));

        Assert.Equal([Dot(A, 1)], explanation.WouldSupersede);
        Assert.Equal([Dot(B, 1)], explanation.WouldKeep);
        Assert.Equal(Dot(A, 2), explanation.NextDot);
    }

    [Fact]
    public void Explain_AfterTheBrowsersChange_ShowsWhichEntryTheNewBinLacks()
    {
        var record = Siblings12F10D().Put(A, Json("10F"), Vector((A, 1)), T0.AddSeconds(2)).Record;

        var explanation = RecordExplanation.Explain(record, LwwResolver.Instance, A);

        var pair = Assert.Single(explanation.Pairs);
        Assert.Equal(new ContextGap(Dot(A, 2), Dot(B, 1), 0), pair.FirstMissesSecond);
        Assert.Equal(new ContextGap(Dot(B, 1), Dot(A, 2), 0), pair.SecondMissesFirst);
        Assert.Equal(Vector((A, 1)), explanation.Bins[0].Context);
        Assert.Equal([Dot(A, 2), Dot(B, 1)], explanation.WouldSupersede);
        Assert.Equal(Dot(A, 3), explanation.NextDot);
        Assert.Equal(Dot(A, 2), explanation.Chosen?.Dot);
        Assert.Equal($"{Dot(A, 2)} was accepted latest (2026-11-22T08:00:02.000Z).", explanation.ChoiceReason);
    }

    [Fact]
    public void Explain_AfterTheAgentsWrite_HasOneBinAndNoPairs()
    {
        var record = Siblings12F10D().Put(A, Json("10F"), Vector((A, 1)), T0.AddSeconds(2)).Record;
        record = record.Put(A, Json("5C"), record.Context, T0.AddSeconds(3)).Record;

        var explanation = RecordExplanation.Explain(record, LwwResolver.Instance, B);

        Assert.Equal([Dot(A, 3)], explanation.Bins.Select(b => b.Dot));
        Assert.Empty(explanation.Pairs);
        Assert.Equal($"{Dot(A, 3)} is the only live sibling.", explanation.ChoiceReason);
        Assert.Equal(Dot(B, 2), explanation.NextDot);
    }

    [Fact]
    public void Explain_WhenABlindWriteExceedsTheSiblingCap_ReportsTheOldestAsPruned()
    {
        var explanation = RecordExplanation.Explain(Siblings12F10D(), LwwResolver.Instance, A, VersionVector.Empty, maxSiblings: 2);

        Assert.Empty(explanation.WouldSupersede);
        Assert.Equal([Dot(A, 1)], explanation.WouldPrune);
        Assert.Equal([Dot(B, 1)], explanation.WouldKeep);
    }

    [Fact]
    public void Explain_WhenATombstoneIsConcurrentWithAValue_ListsItWithItsPair()
    {
        var record = Siblings12F10D().Delete(A, Vector((A, 1)), T0.AddSeconds(2)).Record;

        var explanation = RecordExplanation.Explain(record, LwwResolver.Instance, A);

        Assert.Equal([true, false], explanation.Bins.Select(b => b.IsTombstone));
        Assert.True(Assert.Single(explanation.Pairs).Concurrent);
        Assert.Equal(Dot(B, 1), explanation.Chosen?.Dot);
        Assert.Equal($"{Dot(B, 1)} is the only live sibling.", explanation.ChoiceReason);
    }

    [Fact]
    public void Explain_WhenThereAreManyBins_ExplainsAtMostMaxPairs()
    {
        var record = CausalRecord.Empty;
        for (var i = 0; i < 30; i++)
        {
            record = record.Merge([CausalRecord.Empty.Put(Replica("R" + i), Json("v"), VersionVector.Empty, T0).Written]).Record;
        }

        var explanation = RecordExplanation.Explain(record, LwwResolver.Instance, A);

        Assert.Equal(RecordExplanation.MaxPairs, explanation.Pairs.Count);
        Assert.Equal((30 * 29 / 2) - RecordExplanation.MaxPairs, explanation.OmittedPairs);
    }

    [Fact]
    public void Resolve_WhenLwwTimesTie_SaysTheLargerDotWins()
    {
        var record = CausalRecord.Empty.Put(A, Json("12F"), VersionVector.Empty, T0).Record
            .Merge([CausalRecord.Empty.Put(B, Json("10D"), VersionVector.Empty, T0).Written]).Record;

        var chosen = ((IValueResolver)LwwResolver.Instance).Resolve(record.Siblings, out var reason);

        Assert.Equal(LwwResolver.Instance.Resolve(record.Siblings), chosen);
        Assert.Equal(Dot(B, 1), chosen?.Dot);
        Assert.Equal($"{Dot(B, 1)} and {Dot(A, 1)} were accepted at the same time (2026-11-22T08:00:00.000Z); the larger dot wins the tie.", reason);
    }

    [Fact]
    public void Resolve_WhenPriorityRanksAField_NamesTheValueAndTheOrder()
    {
        var resolver = new PriorityResolver(["failed", "completed", "pending"], "status");
        var record = CausalRecord.Empty.Put(A, """{"status":"failed"}""", VersionVector.Empty, T0).Record
            .Merge([CausalRecord.Empty.Put(B, """{"status":"completed"}""", VersionVector.Empty, T0.AddSeconds(1)).Written]).Record;

        var chosen = resolver.Resolve(record.Siblings, out var reason);

        Assert.Equal(resolver.Resolve(record.Siblings), chosen);
        Assert.Equal(Dot(A, 1), chosen?.Dot);
        Assert.Equal($"{Dot(A, 1)} has the 'status' 'failed', which ranks highest among the siblings in failed > completed > pending.", reason);
    }

    [Fact]
    public void Resolve_WhenPrioritySiblingsShareTheTopRank_FallsBackToTheLatest()
    {
        var resolver = new PriorityResolver(["failed", "completed"]);
        var record = CausalRecord.Empty.Put(A, Json("failed"), VersionVector.Empty, T0).Record
            .Merge([CausalRecord.Empty.Put(B, Json("failed"), VersionVector.Empty, T0.AddSeconds(1)).Written]).Record;

        var chosen = resolver.Resolve(record.Siblings, out var reason);

        Assert.Equal(Dot(B, 1), chosen?.Dot);
        Assert.Equal($"2 siblings have the value 'failed', the highest rank among them in failed > completed; {Dot(B, 1)} was accepted latest among those (2026-11-22T08:00:01.000Z).", reason);
    }

    [Fact]
    public void Resolve_WhenACustomResolverDoesNotExplain_GivesAGenericReason()
    {
        IValueResolver resolver = new FirstDotResolver();
        var siblings = Siblings12F10D().Siblings;

        var chosen = resolver.Resolve(siblings, out var reason);

        Assert.Equal(Dot(A, 1), chosen?.Dot);
        Assert.Equal($"{Dot(A, 1)} was chosen by the 'first' resolver among 2 siblings.", reason);
    }

    /// <summary>A browser's blind 12F at A and a phone's blind 10D at B, replicated: both regions hold {A1, B1}.</summary>
    private static CausalRecord Siblings12F10D() =>
        CausalRecord.Empty.Put(A, Json("12F"), VersionVector.Empty, T0).Record
            .Merge([CausalRecord.Empty.Put(B, Json("10D"), VersionVector.Empty, T0.AddSeconds(1)).Written]).Record;

    private sealed class FirstDotResolver : IValueResolver
    {
        public string Name => "first";

        public Bin? Resolve(IReadOnlyList<Bin> siblings) => siblings.Count == 0 ? null : siblings.MinBy(b => b.Dot);
    }
}
