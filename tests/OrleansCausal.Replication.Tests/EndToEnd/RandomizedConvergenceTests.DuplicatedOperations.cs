using OrleansCausal.Core;
using OrleansCausal.Core.Tokens;
using OrleansCausal.Replication.Tests.TestCluster;

namespace OrleansCausal.Replication.Tests.EndToEnd;

/// <summary>
/// Issue #16 in the randomized three-region run: clients deliver each keyed operation twice, to two regions at once
/// (a queue message dequeued in two data centres) or twice to one (a retry), beside read-then-write overwrites and
/// deletes, under the same link faults and restarts. After the final heal every region holds identical records, and
/// each key shows exactly: the acknowledged writes no context covered, plus each keyed operation once — at the
/// smallest dot it was accepted under — unless a context covered any of its copies. Nothing resurrects.
/// </summary>
public sealed partial class RandomizedConvergenceTests
{
    private const string DuplicatedNs = "dup";

    [Fact]
    public Task OperationsDeliveredToTwoRegions_UnderLinkFaultsAndRestarts_ConvergeToOneValuePerOperation() =>
        WithSeedAsync("Randomized convergence with duplicated operations", seed => RunDuplicatedAsync(seed, writers: 4, opsPerWriter: 60, keys: 4));

    private async Task RunDuplicatedAsync(int seed, int writers, int opsPerWriter, int keys)
    {
        await using var cluster = await TestCluster.TestCluster.StartAsync(new TestClusterOptions
        {
            Regions = RegionNames,
            Seed = seed,
            Settings = new Dictionary<string, string?> { ["Limits:MaxSiblings"] = "1024" },
        });
        var model = new OperationModel(new ContextTokenCodec(TestCluster.TestCluster.SigningKey));
        var gates = RegionNames.ToDictionary(r => r, _ => new RegionGate());
        var observer = new ResurrectionObserver();
        using var stop = new CancellationTokenSource();

        var chaos = Task.Run(() => ChaosAsync(cluster, gates, new Random(seed ^ 0xd0b1e), stop.Token));
        var clients = Enumerable.Range(0, writers)
            .Select(w => Task.Run(() => DuplicatingClientAsync(cluster, gates, model, observer, new Random(seed + w), w, opsPerWriter, keys)))
            .ToArray();
        await Task.WhenAll(clients);
        await stop.CancelAsync();
        var restarts = await chaos;

        cluster.HealAll();
        foreach (var region in cluster.Regions.Values)
        {
            await region.Silos[0].StartAsync();
        }

        await cluster.WaitForQuiescenceAsync(TimeSpan.FromSeconds(60));
        output.WriteLine($"{model.Operations} keyed operations ({model.AcceptedTwice} accepted in two places), {model.Replays} replays, {restarts} silo restarts");

        await cluster.AssertConvergedAsync();
        Assert.True(model.AcceptedTwice > 0, "No operation was accepted twice: the run did not exercise the rule.");
        for (var k = 0; k < keys; k++)
        {
            var key = $"k{k}";
            var expected = model.ExpectedSiblings(DuplicatedNs, key);
            foreach (var regionName in RegionNames)
            {
                using var client = cluster[regionName].Client();
                var read = await observer.ReadAsync(client, regionName, DuplicatedNs, key);
                Assert.True(expected.SequenceEqual(read.Siblings.Select(x => (x.Dot, x.Value))),
                    $"Key {key} at region {regionName}: expected [{string.Join(", ", expected)}], got {read}.");
            }
        }

        observer.AssertNoResurrection();
    }

    private static async Task DuplicatingClientAsync(TestCluster.TestCluster cluster, Dictionary<string, RegionGate> gates, OperationModel model,
        ResurrectionObserver observer, Random random, int writer, int ops, int keys)
    {
        for (var i = 0; i < ops; i++)
        {
            var key = $"k{random.Next(keys)}";
            var value = $"\"d{writer}-{i}\"";
            var roll = random.NextDouble();
            if (roll < 0.6)
            {
                // One operation, delivered twice at once: to two regions, or (when a lease lands on the same region) twice to one.
                var operation = $"op-{writer}-{i}";
                using var first = await gates[RegionNames[random.Next(3)]].EnterAsync(gates, random);
                using var second = await gates[RegionNames[random.Next(3)]].EnterAsync(gates, random);
                using var one = cluster[first.Region].Client();
                using var two = cluster[second.Region].Client();
                var answers = await Task.WhenAll(one.PutKeyedAsync(DuplicatedNs, key, value, operation), two.PutKeyedAsync(DuplicatedNs, key, value, operation));
                model.AcknowledgeOperation(key, value, answers);
                continue;
            }

            using var lease = await gates[RegionNames[random.Next(3)]].EnterAsync(gates, random);
            using var client = cluster[lease.Region].Client();
            var read = await observer.ReadAsync(client, lease.Region, DuplicatedNs, key);
            if (read.Context is null)
            {
                continue;
            }

            if (roll < 0.9)
            {
                var written = await client.PutAsync(DuplicatedNs, key, value, read.Context);
                model.AcknowledgePut(DuplicatedNs, key, value, written, read.Context);
            }
            else
            {
                await client.DeleteAsync(DuplicatedNs, key, read.Context);
                model.AcknowledgeContext(DuplicatedNs, key, read.Context);
            }
        }
    }

    /// <summary>The independent model of this run: acknowledged puts (with the context their writer sent), and keyed
    /// operations with every dot they were accepted under. A put survives iff no acknowledged context covers its dot;
    /// an operation shows once, at its smallest dot, iff no acknowledged context covers any of its dots.</summary>
    private sealed class OperationModel(ContextTokenCodec tokens)
    {
        private readonly object _sync = new();
        private readonly List<(string Key, Dot Dot, string Value)> _puts = [];
        private readonly List<(string Key, string Value, List<Dot> Dots)> _operations = [];
        private readonly List<(string Key, VersionVector Context)> _contexts = [];

        public int Operations => _operations.Count;

        public int AcceptedTwice => _operations.Count(o => o.Dots.Count > 1);

        public int Replays { get; private set; }

        public void AcknowledgeOperation(string key, string value, IdempotentPuts.Answer[] answers)
        {
            var dots = new List<Dot>();
            foreach (var answer in answers.Where(a => !a.Replayed))
            {
                // Not a replay: the region held no copy of the operation, so it issued a new bin and shows it.
                dots.Add(OwnDot(answer.Siblings, key, value));
            }

            Assert.True(dots.Count > 0 && dots.Distinct().Count() == dots.Count, $"Operation {value} on {key}: dots [{string.Join(", ", dots)}].");
            lock (_sync)
            {
                Replays += answers.Length - dots.Count;
                _operations.Add((key, value, dots));
            }
        }

        public void AcknowledgePut(string ns, string key, string value, KvRead written, string sentContext)
        {
            var dot = OwnDot(written.Siblings, key, value);
            lock (_sync)
            {
                _puts.Add((key, dot, value));
            }

            AcknowledgeContext(ns, key, sentContext);
        }

        /// <summary>The dot of the one sibling holding <paramref name="value"/> (values are unique per write).</summary>
        private static Dot OwnDot(IReadOnlyList<KvSibling> siblings, string key, string value)
        {
            var own = siblings.Where(x => x.Value == value).ToList();
            Assert.True(own.Count == 1, $"The PUT of {value} to {key} was applied, but its answer shows it {own.Count} times.");
            Assert.True(Dot.TryParse(own[0].Dot, out var dot), $"Unparseable dot {own[0].Dot}.");
            return dot;
        }

        public void AcknowledgeContext(string ns, string key, string context)
        {
            var vector = tokens.Decode(context, ns, key);
            lock (_sync)
            {
                _contexts.Add((key, vector));
            }
        }

        public IReadOnlyList<(string Dot, string Value)> ExpectedSiblings(string ns, string key)
        {
            lock (_sync)
            {
                var contexts = _contexts.Where(c => c.Key == key).Select(c => c.Context).ToList();
                var puts = _puts.Where(p => p.Key == key && !contexts.Any(c => c.Covers(p.Dot))).Select(p => (p.Dot, p.Value));
                var operations = _operations.Where(o => o.Key == key && !o.Dots.Any(d => contexts.Any(c => c.Covers(d))))
                    .Select(o => (o.Dots.Min(), o.Value));
                return puts.Concat(operations)
                    .Select(p => (p.Item1.ToString(), p.Value))
                    .OrderBy(p => p.Item1, StringComparer.Ordinal)
                    .ToList();
            }
        }
    }
}
