using OrleansCausal.Core;
using OrleansCausal.Core.Resolvers;
using static OrleansCausal.Core.Tests.TestReplicas;

namespace OrleansCausal.Core.Tests;

public sealed class ResolverTests
{
    private static readonly string[] Statuses = ["pending", "completed", "failed"];

    [Fact]
    public void Priority_ComplianceStatus_FailedBeatsCompletedBeatsPending_InEveryArrivalOrder()
    {
        var resolver = new ResolverRegistry().Create("priority:status=failed>completed>pending");
        var bins = Statuses
            .Select((status, i) => new Bin(Dot(Replica($"R{i}"), 1), $$"""{"status":"{{status}}","actor":"r{{i}}"}""", VersionVector.Empty, T0.AddSeconds(10 - i)))
            .ToArray();

        foreach (var order in Permutations(bins))
        {
            var record = CausalRecord.Empty;
            foreach (var bin in order)
            {
                record = record.Merge([bin]).Record;
            }

            Assert.Contains("\"failed\"", resolver.Resolve(record.Siblings)!.Value);
            Assert.Contains("\"completed\"", resolver.Resolve(record.Siblings.Where(b => !b.Value!.Contains("failed")).ToList())!.Value);
        }
    }

    [Fact]
    public void Priority_OnPlainStrings_RanksUnknownValuesLowest()
    {
        var resolver = new ResolverRegistry().Create("priority: gold > silver");
        var bins = new[]
        {
            new Bin(Dot(A, 1), Json("bronze"), VersionVector.Empty, T0.AddSeconds(5)),
            new Bin(Dot(B, 1), Json("silver"), VersionVector.Empty, T0),
        };
        Assert.Equal(Json("silver"), resolver.Resolve(bins)!.Value);
    }

    [Fact]
    public void Lww_PicksTheLatestAcceptedTime_TiesByDot()
    {
        var early = new Bin(Dot(B, 1), "1", VersionVector.Empty, T0);
        var late = new Bin(Dot(A, 1), "2", VersionVector.Empty, T0.AddSeconds(1));
        var tie = new Bin(Dot(C, 1), "3", VersionVector.Empty, T0.AddSeconds(1));
        Assert.Same(late, LwwResolver.Instance.Resolve([early, late]));
        Assert.Same(tie, LwwResolver.Instance.Resolve([tie, late]));
        Assert.Same(tie, LwwResolver.Instance.Resolve([late, tie]));
        Assert.Null(LwwResolver.Instance.Resolve([]));
    }

    [Fact]
    public void Resolve_NeverRemovesABin()
    {
        var bins = new List<Bin>
        {
            new(Dot(A, 1), "1", VersionVector.Empty, T0),
            new(Dot(B, 1), "2", VersionVector.Empty, T0),
        };
        LwwResolver.Instance.Resolve(bins);
        Assert.Equal(2, bins.Count);
    }

    [Fact]
    public void Registry_WhenCustomResolverRegistered_CreatesItByName()
    {
        var registry = new ResolverRegistry();
        var custom = new LongestValueResolver();
        registry.Register(custom);
        Assert.Same(custom, registry.Create("longest"));
        Assert.Throws<ArgumentException>(() => registry.Register(new LongestValueResolver()));
    }

    [Theory]
    [InlineData("nope")]
    [InlineData("priority:")]
    [InlineData("priority:a>>b")]
    [InlineData("priority:a>a")]
    [InlineData("priority:=a>b")]
    public void Registry_WhenSpecificationIsBad_SaysWhy(string specification)
    {
        var error = Assert.Throws<FormatException>(() => new ResolverRegistry().Create(specification));
        Assert.False(string.IsNullOrWhiteSpace(error.Message));
    }

    private static IEnumerable<T[]> Permutations<T>(T[] items) =>
        items.Length <= 1
            ? [items]
            : items.SelectMany((item, i) => Permutations(items.Where((_, j) => j != i).ToArray()).Select(rest => (T[])[item, .. rest]));

    private sealed class LongestValueResolver : IValueResolver
    {
        public string Name => "longest";

        public Bin? Resolve(IReadOnlyList<Bin> siblings) => siblings.MaxBy(b => b.Value?.Length ?? 0);
    }
}
