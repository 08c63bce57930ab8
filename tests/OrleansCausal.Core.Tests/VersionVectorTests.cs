using OrleansCausal.Core;
using static OrleansCausal.Core.Tests.TestReplicas;

namespace OrleansCausal.Core.Tests;

public sealed class VersionVectorTests
{
    [Fact]
    public void From_WhenEntriesRepeatOrAreZero_KeepsMaximumAndDropsZeros()
    {
        var vector = Vector((B, 2), (A, 0), (B, 5), (C, 1));
        Assert.Equal([new VectorEntry(B, 5), new VectorEntry(C, 1)], vector.Entries.ToArray());
        Assert.Equal(0UL, vector.Get(A));
    }

    [Fact]
    public void Join_WhenConcurrent_IsPointwiseMaximum()
    {
        var left = Vector((A, 3), (B, 1));
        var right = Vector((B, 4), (C, 2));
        Assert.Equal(Vector((A, 3), (B, 4), (C, 2)), left.Join(right));
        Assert.Equal(left.Join(right), right.Join(left));
    }

    [Theory]
    [InlineData(new ulong[] { 1, 1 }, new ulong[] { 1, 1 }, CausalOrder.Same)]
    [InlineData(new ulong[] { 1, 0 }, new ulong[] { 1, 1 }, CausalOrder.Before)]
    [InlineData(new ulong[] { 2, 1 }, new ulong[] { 1, 1 }, CausalOrder.After)]
    [InlineData(new ulong[] { 2, 0 }, new ulong[] { 1, 1 }, CausalOrder.Concurrent)]
    public void Compare_ReturnsTheCausalOrder(ulong[] left, ulong[] right, CausalOrder expected)
    {
        var l = Vector((A, left[0]), (B, left[1]));
        var r = Vector((A, right[0]), (B, right[1]));
        Assert.Equal(expected, l.Compare(r));
    }

    [Fact]
    public void With_WhenDotIsNewOrOlder_AddsOrKeeps()
    {
        var vector = Vector((B, 2));
        Assert.Equal(Vector((A, 1), (B, 2)), vector.With(Dot(A, 1)));
        Assert.Same(vector, vector.With(Dot(B, 1)));
        Assert.True(vector.Covers(Dot(B, 2)));
        Assert.False(vector.Covers(Dot(B, 3)));
    }

    [Fact]
    public void Get_WhenManyReplicas_FindsEachByBinarySearch()
    {
        var replicas = Enumerable.Range(0, 40).Select(i => Replica($"r{i:D2}")).ToArray();
        var vector = VersionVector.From(replicas.Select((r, i) => new VectorEntry(r, (ulong)i + 1)));
        for (var i = 0; i < replicas.Length; i++)
        {
            Assert.Equal((ulong)i + 1, vector.Get(replicas[i]));
        }

        Assert.Equal(0UL, vector.Get(Replica("zz")));
        Assert.Equal(41UL, vector.With(Dot(Replica("r05a"), 41)).Get(Replica("r05a")));
    }

    [Fact]
    public void Replicas_WithSameRegionButAnotherEpoch_AreDistinct()
    {
        var old = Replica("A", 1);
        var rebuilt = Replica("A", 2);
        var vector = Vector((old, 7));
        Assert.False(vector.Covers(Dot(rebuilt, 1)));
        Assert.Equal("A.00000002", rebuilt.ToString());
        Assert.True(ReplicaId.TryParse("A.00000002", out var parsed));
        Assert.Equal(rebuilt, parsed);
    }

    [Theory]
    [InlineData("")]
    [InlineData("has space")]
    [InlineData("dot.ted")]
    [InlineData("a-name-that-is-far-too-long-for-a-region")]
    public void RegionId_WhenInvalid_IsRefused(string name)
    {
        Assert.False(RegionId.TryParse(name, out _));
        Assert.Throws<ArgumentException>(() => RegionId.Parse(name));
    }
}
