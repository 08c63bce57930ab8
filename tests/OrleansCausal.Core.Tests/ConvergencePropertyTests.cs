using OrleansCausal.Core;
using OrleansCausal.Core.Tests.Simulation;
using static OrleansCausal.Core.Tests.TestReplicas;

namespace OrleansCausal.Core.Tests;

/// <summary>
/// Seeded random histories checked against an independent model (DESIGN.md §1 invariants 1–4). Every failure
/// names its seed; rerun one with ORLEANSCAUSAL_SEED=&lt;seed&gt;.
/// </summary>
public sealed class ConvergencePropertyTests
{
    private const int Histories = 300;

    [Fact]
    public void RandomHistories_WithReorderedBatchedDuplicatedDelivery_ConvergeToExactlyTheUncoveredWrites()
    {
        foreach (var seed in Seeds())
        {
            RunWithSeed(seed, simulation =>
            {
                simulation.Run(steps: 150);
                simulation.HealAndConverge();
                simulation.AssertConverged();
            });
        }
    }

    [Fact]
    public void Merge_OverReachableStates_IsCommutativeAssociativeAndIdempotent()
    {
        foreach (var seed in Seeds().Take(100))
        {
            RunWithSeed(seed, simulation =>
            {
                simulation.Run(steps: 80);
                var states = simulation.Replicas.Select(r => simulation.StateOf(r, "k0")).ToArray();
                foreach (var x in states)
                {
                    var again = x.Merge(x.Bins);
                    Expect(!again.Changed && again.Record.Equals(x), $"merge of {x} with itself changed it");
                    foreach (var y in states)
                    {
                        Expect(Join(x, y).Equals(Join(y, x)), $"x ⊔ y ≠ y ⊔ x for x={x}, y={y}");
                        foreach (var z in states)
                        {
                            Expect(Join(Join(x, y), z).Equals(Join(x, Join(y, z))), $"(x ⊔ y) ⊔ z ≠ x ⊔ (y ⊔ z) for x={x}, y={y}, z={z}");
                        }
                    }
                }
            });
        }
    }

    [Fact]
    public void RandomHistories_WithASiblingCap_ConvergeAndCountEveryPrune()
    {
        var totalPruned = 0;
        foreach (var seed in Seeds().Take(150))
        {
            RunWithSeed(seed, _ =>
            {
                var random = new Random(seed);
                var replicas = new[] { A, B, C };
                var states = replicas.ToDictionary(r => r, _ => CausalRecord.Empty);
                // Each region ships its own bins to each peer in order (FIFO per source, DESIGN.md invariant 5),
                // with random interleaving across channels and duplicated redeliveries.
                var channels = new Dictionary<(ReplicaId From, ReplicaId To), Queue<Bin>>();
                var delivered = new List<(ReplicaId To, Bin Bin)>();
                var pruned = 0;
                for (var step = 0; step < 120; step++)
                {
                    var at = replicas[random.Next(replicas.Length)];
                    var roll = random.NextDouble();
                    if (roll < 0.5)
                    {
                        var context = random.NextDouble() < 0.7 ? VersionVector.Empty : states[at].Context;
                        var outcome = states[at].Put(at, $"{step}", context, T0.AddMilliseconds(random.Next(100)), maxBins: 3);
                        Expect(outcome.Record.Bins.Count <= 3, $"cap exceeded after a put: {outcome.Record}");
                        var before = states[at].Bins.Count(b => !context.Covers(b.Dot));
                        Expect(outcome.Pruned == before + 1 - outcome.Record.Bins.Count, $"prune count {outcome.Pruned} is wrong");
                        pruned += outcome.Pruned;
                        states[at] = outcome.Record;
                        foreach (var to in replicas.Where(r => r != at))
                        {
                            Channel(channels, at, to).Enqueue(outcome.Written);
                        }
                    }
                    else if (roll < 0.9)
                    {
                        var busy = channels.Where(c => c.Value.Count > 0).ToList();
                        if (busy.Count > 0)
                        {
                            var channel = busy[random.Next(busy.Count)];
                            var bin = channel.Value.Dequeue();
                            states[channel.Key.To] = states[channel.Key.To].Merge([bin]).Record;
                            delivered.Add((channel.Key.To, bin));
                        }
                    }
                    else if (delivered.Count > 0)
                    {
                        var (to, bin) = delivered[random.Next(delivered.Count)];
                        states[to] = states[to].Merge([bin]).Record;
                    }
                }

                foreach (var channel in channels)
                {
                    while (channel.Value.Count > 0)
                    {
                        states[channel.Key.To] = states[channel.Key.To].Merge([channel.Value.Dequeue()]).Record;
                    }
                }

                Expect(states[A].Equals(states[B]) && states[B].Equals(states[C]), $"diverged: {states[A]} / {states[B]} / {states[C]}");
                totalPruned += pruned;
            });
        }

        Assert.True(totalPruned > 0, "the sibling cap never triggered, so the prune path went untested");
    }

    private static Queue<Bin> Channel(Dictionary<(ReplicaId From, ReplicaId To), Queue<Bin>> channels, ReplicaId from, ReplicaId to)
    {
        if (!channels.TryGetValue((from, to), out var queue))
        {
            channels[(from, to)] = queue = new Queue<Bin>();
        }

        return queue;
    }

    private static CausalRecord Join(CausalRecord x, CausalRecord y) => x.Merge(y.Bins).Record;

    private static void Expect(bool condition, string message)
    {
        if (!condition)
        {
            throw new SimulationFailure(message);
        }
    }

    private static IEnumerable<int> Seeds()
    {
        var pinned = Environment.GetEnvironmentVariable("ORLEANSCAUSAL_SEED");
        if (int.TryParse(pinned, out var one))
        {
            return [one];
        }

        var baseSeed = Environment.TickCount & 0x3FFFFFFF;
        return Enumerable.Range(0, Histories).Select(i => baseSeed + i);
    }

    private static void RunWithSeed(int seed, Action<ReplicationSimulation> body)
    {
        var random = new Random(seed);
        var simulation = new ReplicationSimulation(seed, regions: random.Next(2, 6), keys: random.Next(1, 4));
        try
        {
            body(simulation);
        }
        catch (Exception e)
        {
            throw new Xunit.Sdk.XunitException($"Seed {seed} failed (rerun with ORLEANSCAUSAL_SEED={seed}): {e.Message}\n{e.StackTrace}");
        }
    }
}
