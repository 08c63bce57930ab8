using FsCheck;
using FsCheck.Fluent;
using OrleansCausal.Core.Tests.Simulation;

namespace OrleansCausal.Core.Tests;

/// <summary>
/// FsCheck properties of records with remembered operations (DESIGN.md §1 invariants 1 and 3 with idempotency): merge
/// stays commutative, associative and idempotent; regions converge — bins, clock, remembered operations and the shown
/// siblings — whatever the order of feeds and resends, while the same operation is accepted in several regions; no
/// operation is shown twice; a hidden bin never shows again. FsCheck prints the seed and the shrunk steps of a failure.
/// </summary>
public sealed class OperationMergePropertyTests
{
    private static readonly OperationWindow Wide = new(1000, TimeSpan.FromDays(1));

    /// <summary>A window small enough that the scenarios truncate: 3 entries, 4 ms.</summary>
    private static readonly OperationWindow Narrow = new(3, TimeSpan.FromMilliseconds(4));

    private static readonly Arbitrary<int[]> Steps = Gen.ArrayOf(Gen.Choose(0, 999_999)).ToArbitrary();

    private static readonly Config Config = Config.QuickThrowOnFailure.WithMaxTest(300).WithEndSize(120);

    [Fact]
    public void Merge_WithRememberedOperations_IsCommutativeAssociativeAndIdempotent()
    {
        foreach (var window in new[] { Wide, Narrow })
        {
            Check.One(Config.WithMaxTest(150), Prop.ForAll(Steps, steps =>
            {
                var scenario = new OperationScenario(window, windowHoldsEverything: window == Wide);
                scenario.Run(steps);
                var states = scenario.Seen.TakeLast(6).Append(CausalRecord.Empty).ToArray();
                foreach (var x in states)
                {
                    Assert.Equal(x, Join(x, x, window));
                    foreach (var y in states)
                    {
                        Assert.Equal(Join(x, y, window), Join(y, x, window));
                        foreach (var z in states)
                        {
                            Assert.Equal(Join(Join(x, y, window), z, window), Join(x, Join(y, z, window), window));
                        }
                    }
                }
            }));
        }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void RandomHistories_WithOperationsDuplicatedAcrossRegions_ConvergeAndShowEachOperationAtMostOnce(bool deliverFeeds)
    {
        var hidden = 0;
        var replays = 0;
        foreach (var window in new[] { Wide, Narrow })
        {
            Check.One(Config, Prop.ForAll(Steps, steps =>
            {
                var scenario = new OperationScenario(window, windowHoldsEverything: window == Wide);
                scenario.Run(steps);
                scenario.Heal(deliverFeeds);
                hidden += scenario.HiddenCount;
                replays += scenario.Replays;
                var first = scenario.States[0];
                foreach (var state in scenario.States)
                {
                    Assert.Equal(first, state);
                    Assert.Equal(first.Siblings, state.Siblings);
                }

                if (window == Wide)
                {
                    var shownOperations = first.Siblings.Where(s => s.OperationId is not null).Select(s => s.OperationId).ToList();
                    Assert.Equal(shownOperations.Distinct().Count(), shownOperations.Count);
                }
            }));
        }

        // The histories did exercise the rule: duplicates were hidden and replays refused.
        Assert.True(hidden > 0 && replays > 0, $"hidden {hidden}, replays {replays}");
    }

    [Fact]
    public void Window_TruncatingThenUniting_EqualsUnitingThenTruncating()
    {
        var entry = Gen.Choose(0, 2).SelectMany(replica => Gen.Choose(1, 20).SelectMany(counter => Gen.Choose(0, 30).Select(ms =>
            new RememberedOperation($"op-{counter % 5}", TestReplicas.Dot(new[] { TestReplicas.A, TestReplicas.B, TestReplicas.C }[replica], (ulong)counter),
                TestReplicas.T0.AddMilliseconds(ms)))));
        var sets = Gen.ArrayOf(entry).Two().ToArbitrary();
        Check.One(Config, Prop.ForAll(sets, pair =>
        {
            // A dot has one accepted time: keep the first entry per dot across both sets.
            var times = new Dictionary<Dot, DateTimeOffset>();
            RememberedOperation Canonical(RememberedOperation o) => o with { WrittenAt = times.TryAdd(o.Dot, o.WrittenAt) ? o.WrittenAt : times[o.Dot], Id = $"op-{o.Dot.Counter % 5}" };
            var a = pair.Item1.Select(Canonical).ToArray();
            var b = pair.Item2.Select(Canonical).ToArray();
            Assert.Equal(Narrow.Apply(a.Concat(b)), Narrow.Apply(Narrow.Apply(a).Concat(Narrow.Apply(b))));
            Assert.Equal(Narrow.Apply(a), Narrow.Apply(Narrow.Apply(a)));
        }));
    }

    [Fact]
    public void Window_KeepsTheNewestEntries_ByAgeThenCount()
    {
        var window = new OperationWindow(2, TimeSpan.FromMinutes(10));
        RememberedOperation[] entries =
        [
            new("old", TestReplicas.Dot(TestReplicas.A, 1), TestReplicas.T0),
            new("mid", TestReplicas.Dot(TestReplicas.A, 2), TestReplicas.T0.AddMinutes(15)),
            new("new", TestReplicas.Dot(TestReplicas.B, 1), TestReplicas.T0.AddMinutes(16)),
            new("tie", TestReplicas.Dot(TestReplicas.C, 1), TestReplicas.T0.AddMinutes(16)),
        ];

        Assert.Equal(["new", "tie"], window.Apply(entries).Select(e => e.Id));
        Assert.Equal(["mid", "new"], new OperationWindow(5, TimeSpan.FromMinutes(10)).Apply(entries.Take(3)).Select(e => e.Id));
    }

    private static CausalRecord Join(CausalRecord x, CausalRecord y, OperationWindow window) => x.Merge(y.Bins, y.Operations, window).Record;
}
