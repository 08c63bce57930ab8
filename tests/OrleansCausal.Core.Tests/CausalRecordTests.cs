using OrleansCausal.Core;
using static OrleansCausal.Core.Tests.TestReplicas;

namespace OrleansCausal.Core.Tests;

public sealed class CausalRecordTests
{
    [Fact]
    public void Put_WhenBlind_AddsASiblingAndDropsNothing()
    {
        var record = CausalRecord.Empty.Put(A, "1", VersionVector.Empty, T0).Record;
        record = record.Put(A, "2", VersionVector.Empty, T0).Record;
        Assert.Equal([Dot(A, 1), Dot(A, 2)], record.Siblings.Select(b => b.Dot));
        Assert.Equal(Vector((A, 2)), record.Clock);
    }

    [Fact]
    public void Put_WhenContextIsAheadOfTheClock_TakesTheCounterAfterTheContext()
    {
        // A context read elsewhere may have seen more of this replica's writes than this record copy.
        var outcome = CausalRecord.Empty.Put(A, "1", Vector((A, 5), (B, 2)), T0);
        Assert.Equal(Dot(A, 6), outcome.Written.Dot);
        Assert.Equal(Vector((A, 6), (B, 2)), outcome.Record.Clock);
    }

    [Fact]
    public void Delete_WhenItCoversAllSiblings_ReadsAsNotFoundButKeepsTheContext()
    {
        var record = CausalRecord.Empty.Put(A, "1", VersionVector.Empty, T0).Record;
        record = record.Merge([CausalRecord.Empty.Put(B, "2", VersionVector.Empty, T0).Written]).Record;
        var deleted = record.Delete(A, record.Context, T0).Record;

        Assert.False(deleted.HasLiveValue);
        Assert.Empty(deleted.Siblings);
        Assert.Single(deleted.Bins);
        Assert.True(deleted.Bins[0].IsTombstone);
        Assert.Equal(Vector((A, 2), (B, 1)), deleted.Context);

        // A later put with the delete's context supersedes the tombstone.
        var revived = deleted.Put(A, "3", deleted.Context, T0).Record;
        Assert.Equal(["3"], revived.Siblings.Select(b => b.Value));
        Assert.Single(revived.Bins);
    }

    [Fact]
    public void Delete_WhenConcurrentWithAPut_LeavesThePutAsTheOnlyLiveValue()
    {
        var record = CausalRecord.Empty.Put(A, "1", VersionVector.Empty, T0).Record;
        var remotePut = record.Put(B, "2", record.Context, T0).Written;
        var deleted = record.Delete(A, record.Context, T0).Record;
        var merged = deleted.Merge([remotePut]).Record;
        Assert.Equal(["2"], merged.Siblings.Select(b => b.Value));
        Assert.Equal(2, merged.Bins.Count);
    }

    [Fact]
    public void Put_WhenOverTheSiblingCap_PrunesTheOldestAndReportsTheCount()
    {
        var record = CausalRecord.Empty;
        for (var i = 0; i < 3; i++)
        {
            record = record.Merge([CausalRecord.Empty.Put(Replica($"R{i}"), $"{i}", VersionVector.Empty, T0.AddSeconds(i)).Written]).Record;
        }

        var outcome = record.Put(A, "new", VersionVector.Empty, T0.AddSeconds(10), maxBins: 2);

        Assert.Equal(2, outcome.Pruned);
        Assert.Equal(["2", "new"], outcome.Record.Siblings.Select(b => b.Value).Order());
        // The pruned dots stay covered by the clock, so they can never come back.
        Assert.True(outcome.Record.Clock.Covers(Dot(Replica("R0"), 1)));
        Assert.True(outcome.Record.Clock.Covers(Dot(Replica("R1"), 1)));
        Assert.False(outcome.Record.Merge(record.Bins).Changed);
    }

    [Fact]
    public void Put_WhenPruning_ThePruneTravelsWithTheNewBin()
    {
        var siblings = Enumerable.Range(0, 3)
            .Select(i => CausalRecord.Empty.Put(Replica($"R{i}"), $"{i}", VersionVector.Empty, T0.AddSeconds(i)).Written)
            .ToArray();
        var here = CausalRecord.Empty.Merge(siblings).Record;
        var there = CausalRecord.Empty.Merge(siblings).Record;

        var written = here.Put(A, "new", VersionVector.Empty, T0.AddSeconds(10), maxBins: 2);
        there = there.Merge([written.Written]).Record;

        Assert.Equal(written.Record, there);
    }

    [Fact]
    public void Clock_NeverGoesBackwards_OnDeleteOrPrune()
    {
        var record = CausalRecord.Empty;
        var previous = record.Clock;
        for (var i = 0; i < 20; i++)
        {
            var outcome = i % 3 == 0
                ? record.Delete(A, record.Context, T0)
                : record.Put(i % 2 == 0 ? A : B, $"{i}", VersionVector.Empty, T0.AddSeconds(i), maxBins: 2);
            record = outcome.Record;
            Assert.True(record.Clock.Covers(previous));
            previous = record.Clock;
        }
    }

    [Fact]
    public void Merge_WhenBinWasSupersededHere_DoesNotResurrectIt()
    {
        var a1 = CausalRecord.Empty.Put(A, "1", VersionVector.Empty, T0);
        var a2 = a1.Record.Put(A, "2", a1.Record.Context, T0);
        var merged = a2.Record.Merge([a1.Written]);
        Assert.False(merged.Changed);
        Assert.Equal(["2"], merged.Record.Siblings.Select(b => b.Value));
    }

    [Fact]
    public void Restore_WhenABinIsCoveredByAnother_RefusesTheCorruptRecord()
    {
        var a1 = CausalRecord.Empty.Put(A, "1", VersionVector.Empty, T0).Written;
        var a2 = new Bin(Dot(A, 2), "2", Vector((A, 1)), T0);
        Assert.Throws<InvalidDataException>(() => CausalRecord.Restore([a1, a2], Vector((A, 2))));
        Assert.Throws<InvalidDataException>(() => CausalRecord.Restore([a2], Vector((A, 1))));
    }

    [Fact]
    public void Bin_WhenContextCoversItsOwnDot_IsRefused()
    {
        Assert.Throws<ArgumentException>(() => new Bin(Dot(A, 2), "x", Vector((A, 2)), T0));
    }
}
