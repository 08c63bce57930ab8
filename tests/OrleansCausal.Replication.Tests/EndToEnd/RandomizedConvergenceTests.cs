using Microsoft.Extensions.DependencyInjection;
using Orleans;
using OrleansCausal.Core;
using OrleansCausal.Core.Tokens;
using OrleansCausal.Replication.Collection;
using OrleansCausal.Replication.Tests.TestCluster;
using OrleansCausal.Tests.Shared;
using Xunit.Abstractions;

namespace OrleansCausal.Replication.Tests.EndToEnd;

/// <summary>
/// Three regions, each an Orleans test cluster serving HTTP: A and B one silo on SQLite, C two silos on one PostgreSQL
/// database. Many clients do read-then-write (with the context of their read), blind writes and deletes at random
/// silos of random regions while links are cut, healed, delayed, duplicated and reordered, silos restart on their
/// stores, and halfway through one silo of C is killed (no graceful shutdown; C goes on with the other once Orleans
/// has declared it dead). After a final heal every region must hold identical records, every silo must answer alike,
/// and the live siblings of every key must be exactly the acknowledged writes that no acknowledged write's context
/// covered (an independent model kept by the test): no acknowledged write is lost. Nothing may resurrect at a region
/// in between. Storage GC rounds run at random regions throughout and in every region at the end
/// (tombstones are purged, never a live value). The seed is printed on failure; set OC_SEED to replay one.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed partial class RandomizedConvergenceTests(PostgresServer server, ITestOutputHelper output)
{
    private const string Ns = "chaos";
    private const string TwoSiloRegion = "C";
    private static readonly string[] RegionNames = ["A", "B", TwoSiloRegion];
    private static readonly TimeSpan DeclaredDeadWithin = TimeSpan.FromSeconds(60);

    [Fact]
    public Task ReadThenWriteAndBlindWrites_UnderLinkFaultsAndRestarts_ConvergeToModel() =>
        WithSeedAsync("Randomized convergence", seed => RunAsync(seed, writers: 6, opsPerWriter: 150, keys: 8));

    /// <summary>Runs <paramref name="run"/> with the seed from <c>OC_SEED</c> (or a random one), printed, and named in
    /// the failure so that the run can be replayed.</summary>
    private async Task WithSeedAsync(string what, Func<int, Task> run)
    {
        var seed = int.TryParse(Environment.GetEnvironmentVariable("OC_SEED"), out var s) ? s : Random.Shared.Next();
        output.WriteLine($"seed {seed}");
        try
        {
            await run(seed);
        }
        catch (Exception e)
        {
            throw new Exception($"{what} failed with seed {seed} (replay with OC_SEED={seed}): {e.Message}", e);
        }
    }

    private async Task RunAsync(int seed, int writers, int opsPerWriter, int keys)
    {
        await using var cluster = await TestCluster.TestCluster.StartAsync(new TestClusterOptions
        {
            Regions = RegionNames,
            Seed = seed,
            Settings = new Dictionary<string, string?> { ["Limits:MaxSiblings"] = "1024" },
            SilosInRegion = new Dictionary<string, int> { [TwoSiloRegion] = 2 },
            StoreForRegion = async region => region == TwoSiloRegion ? "postgres:" + await server.CreateDatabaseAsync("chaos" + region.ToLowerInvariant()) : null,
        });
        var model = new WriteModel(new ContextTokenCodec(TestCluster.TestCluster.SigningKey));
        var gates = RegionNames.ToDictionary(r => r, _ => new RegionGate());
        var observer = new ResurrectionObserver();
        using var stop = new CancellationTokenSource();
        var halfway = new Halfway(writers * opsPerWriter);

        var chaos = Task.Run(() => ChaosAsync(cluster, gates, new Random(seed ^ 0x5eed), stop.Token));
        var kill = Task.Run(() => KillOneSiloHalfwayAsync(cluster, gates[TwoSiloRegion], halfway));
        var collections = Task.Run(() => CollectAtRandomAsync(cluster, new Random(seed ^ 0x6c), stop.Token));
        var clients = Enumerable.Range(0, writers)
            .Select(w => Task.Run(() => ClientAsync(cluster, gates, model, observer, halfway, new Random(seed + w), w, opsPerWriter, keys)))
            .ToArray();
        await Task.WhenAll(clients);
        await stop.CancelAsync();
        var restarts = await chaos;
        var killed = await kill;
        var collected = await collections;

        cluster.HealAll();
        foreach (var silo in cluster.Regions.Values.SelectMany(r => r.Silos))
        {
            await silo.StartAsync();
        }

        await cluster.WaitForQuiescenceAsync(TimeSpan.FromSeconds(60));
        await CollectEverywhereAsync(cluster);
        output.WriteLine(string.Join(Environment.NewLine, cluster.Proxy.Links.Select(l => l.ToString())));
        output.WriteLine($"{model.Count} acknowledged writes, {restarts} silo restarts, killed {killed}, {collected} tombstone(s) purged during the run");

        await cluster.AssertConvergedAsync();
        model.AssertDotsUnique();
        for (var k = 0; k < keys; k++)
        {
            var key = $"k{k}";
            var expected = model.ExpectedSiblings(Ns, key);
            string? context = null;
            foreach (var silo in RegionNames.SelectMany(r => cluster[r].Silos))
            {
                var regionName = cluster.Regions.Single(r => r.Value.Silos.Contains(silo)).Key;
                using var client = silo.Client();
                var read = await observer.ReadAsync(client, regionName, Ns, key);
                Assert.True(expected.SequenceEqual(read.Siblings.Select(x => (x.Dot, x.Value))),
                    $"Key {key} at silo {silo}: expected siblings [{string.Join(", ", expected)}] (acknowledged writes no later context covered), got {read}.");
                context ??= read.Context;
                Assert.True(context == read.Context, $"Key {key}: silo {silo} returns context {read.Context}, another silo {context}.");
            }
        }

        observer.AssertNoResurrection();
    }

    /// <summary>Storage GC rounds at random regions while clients write and links fail (a round on a silo that is
    /// restarting just fails). Returns how many records it purged or thinned.</summary>
    private static async Task<int> CollectAtRandomAsync(TestCluster.TestCluster cluster, Random random, CancellationToken stop)
    {
        var purged = 0;
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(random.Next(30, 150), stop);
                var region = cluster[RegionNames[random.Next(RegionNames.Length)]];
                purged += (await region.Silo.Services.GetRequiredService<StorageCollector>().RunOnceAsync(stop)).Purged;
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e) when (e is InvalidOperationException or ObjectDisposedException or Storage.RecordStoreException)
            {
                // The silo is stopped or restarting.
            }
        }

        return purged;
    }

    /// <summary>After the final heal: a round in every region drops every tombstone (all are below the stable cut now;
    /// a region may hold back while a full resend to it, started by a restart, is still running).</summary>
    private static async Task CollectEverywhereAsync(TestCluster.TestCluster cluster)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        foreach (var region in cluster.Regions.Values)
        {
            var collector = region.Silo.Services.GetRequiredService<StorageCollector>();
            while ((await collector.RunOnceAsync(CancellationToken.None)).HeldBackBy is { } why)
            {
                Assert.True(DateTime.UtcNow < deadline, $"Region {region.Name}'s final GC round is still held back: {why}");
                await Task.Delay(50);
            }
        }

        await cluster.WaitForQuiescenceAsync(TimeSpan.FromSeconds(60));
        foreach (var region in cluster.Regions.Values)
        {
            var figures = await region.Silo.Store.GetStorageFiguresAsync(CancellationToken.None);
            Assert.True(figures.Tombstones == 0, $"Region {region.Name} still holds {figures.Tombstones} tombstone-only record(s) after its final GC round.");
        }
    }

    private static async Task ClientAsync(TestCluster.TestCluster cluster, Dictionary<string, RegionGate> gates, WriteModel model,
        ResurrectionObserver observer, Halfway halfway, Random random, int writer, int ops, int keys)
    {
        for (var i = 0; i < ops; i++, halfway.Done())
        {
            var key = $"k{random.Next(keys)}";
            var value = $"\"w{writer}-{i}\"";
            var regionName = RegionNames[random.Next(RegionNames.Length)];
            using var lease = await gates[regionName].EnterAsync(gates, random);
            var running = cluster[lease.Region].Silos.Where(s => s.IsRunning).ToList();
            using var client = running[random.Next(running.Count)].Client();
            var roll = random.NextDouble();
            if (roll < 0.25)
            {
                var written = await client.PutAsync(Ns, key, value, context: null);
                model.Acknowledge(Ns, key, value, written, sentContext: null);
            }
            else
            {
                var read = await observer.ReadAsync(client, lease.Region, Ns, key);
                if (roll < 0.85 || read.Context is null)
                {
                    var written = await client.PutAsync(Ns, key, value, read.Context);
                    model.Acknowledge(Ns, key, value, written, read.Context);
                }
                else
                {
                    await client.DeleteAsync(Ns, key, read.Context);
                    model.AcknowledgeDelete(Ns, key, read.Context);
                }
            }
        }
    }

    private static async Task<int> ChaosAsync(TestCluster.TestCluster cluster, Dictionary<string, RegionGate> gates, Random random, CancellationToken stop)
    {
        var restarts = 0;
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(random.Next(20, 120), stop);
            }
            catch (OperationCanceledException)
            {
                return restarts;
            }

            var from = RegionNames[random.Next(3)];
            var to = RegionNames.Where(r => r != from).ElementAt(random.Next(2));
            var link = cluster.Link(from, to);
            switch (random.Next(8))
            {
                case 0:
                case 1:
                    link.IsCut = true;
                    break;
                case 2:
                case 3:
                    link.Heal();
                    break;
                case 4:
                    link.MaxDelay = TimeSpan.FromMilliseconds(random.Next(1, 80));
                    break;
                case 5:
                    link.DuplicateProbability = 0.3;
                    break;
                case 6:
                    link.ReorderProbability = 0.25;
                    break;
                case 7 when restarts < 3:
                    restarts++;
                    await gates[from].ExclusiveAsync(() => cluster[from].Silos[0].RestartAsync());
                    break;
            }
        }

        return restarts;
    }

    /// <summary>
    /// Once half of all client operations are done, kills the silo of <see cref="TwoSiloRegion"/> that ships to the
    /// most peers (client operations of the region drained first, so every write is either acknowledged or never
    /// sent), then keeps the region's clients away until the surviving silo's Orleans membership has declared the
    /// killed one dead. Returns the killed silo.
    /// </summary>
    private static async Task<string> KillOneSiloHalfwayAsync(TestCluster.TestCluster cluster, RegionGate gate, Halfway halfway)
    {
        await halfway.Reached;
        var region = cluster[TwoSiloRegion];
        var killed = "";
        await gate.ExclusiveAsync(async () =>
        {
            var running = region.Silos.Where(s => s.IsRunning).ToList();
            if (running.Count < 2)
            {
                throw new InvalidOperationException($"Region {TwoSiloRegion} should run two silos halfway through, it runs {running.Count}.");
            }

            var shipping = new List<(TestSilo Silo, int Peers)>();
            foreach (var silo in running)
            {
                var peers = await silo.Services.GetRequiredService<Runtime.Replication.IReplicationStatus>().GetPeersAsync(CancellationToken.None);
                shipping.Add((silo, peers.Count(p => p.IsShipping)));
            }

            var victim = shipping.OrderByDescending(s => s.Peers).ThenByDescending(s => s.Silo.Index).First().Silo;
            var survivor = running.First(s => s != victim);
            var address = victim.SiloAddress;
            killed = $"{victim} ({address}, shipping to {shipping.First(s => s.Silo == victim).Peers} peers)";
            await victim.KillAsync();
            await WaitUntilDeclaredDeadAsync(survivor, address);
        });
        return killed;
    }

    private static async Task WaitUntilDeclaredDeadAsync(TestSilo survivor, string address)
    {
        var membership = survivor.Services.GetRequiredService<IClusterMembershipService>();
        using var timeout = new CancellationTokenSource(DeclaredDeadWithin);
        try
        {
            await foreach (var snapshot in membership.MembershipUpdates.WithCancellation(timeout.Token))
            {
                if (snapshot.Members.Values.Any(m => m.SiloAddress.ToString() == address && m.Status == SiloStatus.Dead))
                {
                    return;
                }
            }
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
        }

        throw new TimeoutException($"Silo {survivor} did not declare the killed silo {address} dead within {DeclaredDeadWithin.TotalSeconds:F0} s; " +
            $"it sees {string.Join(", ", membership.CurrentSnapshot.Members.Values.Select(m => $"{m.SiloAddress} {m.Status}"))}.");
    }

    /// <summary>Counts finished client operations; <see cref="Reached"/> completes at half of them.</summary>
    private sealed class Halfway(int total)
    {
        private readonly TaskCompletionSource _reached = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _done;

        public Task Reached => _reached.Task;

        public void Done()
        {
            if (Interlocked.Increment(ref _done) == total / 2)
            {
                _reached.TrySetResult();
            }
        }
    }

    /// <summary>Client operations share a region; a restart waits for them to finish and turns new ones away.</summary>
    private sealed class RegionGate
    {
        private readonly SemaphoreSlim _exclusive = new(1, 1);
        private readonly object _sync = new();
        private int _inflight;
        private TaskCompletionSource? _drained;

        public async Task<Lease> EnterAsync(Dictionary<string, RegionGate> all, Random random)
        {
            while (true)
            {
                foreach (var (name, gate) in all.OrderBy(_ => random.Next()).Prepend(all.First(g => g.Value == this)))
                {
                    lock (gate._sync)
                    {
                        if (gate._drained is null)
                        {
                            gate._inflight++;
                            return new Lease(name, gate);
                        }
                    }
                }

                await Task.Delay(5);
            }
        }

        public async Task ExclusiveAsync(Func<Task> action)
        {
            await _exclusive.WaitAsync();
            try
            {
                Task drained;
                lock (_sync)
                {
                    _drained = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                    if (_inflight == 0)
                    {
                        _drained.SetResult();
                    }

                    drained = _drained.Task;
                }

                await drained;
                await action();
            }
            finally
            {
                lock (_sync)
                {
                    _drained = null;
                }

                _exclusive.Release();
            }
        }

        private void Leave()
        {
            lock (_sync)
            {
                if (--_inflight == 0)
                {
                    _drained?.TrySetResult();
                }
            }
        }

        public sealed class Lease(string region, RegionGate gate) : IDisposable
        {
            public string Region => region;

            public void Dispose() => gate.Leave();
        }
    }

    /// <summary>The independent model: every acknowledged write with its dot and the context its writer sent.
    /// A put's value survives iff no acknowledged write's context covers its dot.</summary>
    private sealed class WriteModel(ContextTokenCodec tokens)
    {
        private readonly object _sync = new();
        private readonly List<(string Key, Dot Dot, string Value)> _puts = [];
        private readonly List<(string Key, VersionVector Context)> _contexts = [];

        public int Count
        {
            get
            {
                lock (_sync)
                {
                    return _puts.Count + _contexts.Count;
                }
            }
        }

        public void Acknowledge(string ns, string key, string value, KvRead written, string? sentContext)
        {
            var own = written.Siblings.Where(x => x.Value == value).ToList();
            Assert.True(own.Count == 1, $"The PUT of {value} to {key} was acknowledged, but its answer shows it {own.Count} times: {written}.");
            Assert.True(Dot.TryParse(own[0].Dot, out var dot), $"Unparseable dot {own[0].Dot}.");
            var context = sentContext is null ? VersionVector.Empty : tokens.Decode(sentContext, ns, key);
            lock (_sync)
            {
                _puts.Add((key, dot, value));
                _contexts.Add((key, context));
            }
        }

        public void AcknowledgeDelete(string ns, string key, string context)
        {
            lock (_sync)
            {
                _contexts.Add((key, tokens.Decode(context, ns, key)));
            }
        }

        public IReadOnlyList<(string Dot, string Value)> ExpectedSiblings(string ns, string key)
        {
            lock (_sync)
            {
                var contexts = _contexts.Where(c => c.Key == key).Select(c => c.Context).ToList();
                return _puts.Where(p => p.Key == key && !contexts.Any(c => c.Covers(p.Dot)))
                    .Select(p => (p.Dot.ToString(), p.Value))
                    .OrderBy(p => p.Item1, StringComparer.Ordinal)
                    .ToList();
            }
        }

        public void AssertDotsUnique()
        {
            lock (_sync)
            {
                var duplicates = _puts.GroupBy(p => (p.Key, p.Dot)).Where(g => g.Count() > 1).Select(g => $"{g.Key.Key}:{g.Key.Dot}").ToList();
                Assert.True(duplicates.Count == 0, $"Dots issued twice: {string.Join(", ", duplicates)}.");
            }
        }
    }

    /// <summary>Per region and key: a dot that was visible and then disappeared (superseded there) must never be
    /// visible there again. Reads of one region and key are serialized, so they are observed in store order.</summary>
    private sealed class ResurrectionObserver
    {
        private readonly object _sync = new();
        private readonly Dictionary<(string, string), SemaphoreSlim> _order = [];

        public async Task<KvRead> ReadAsync(KvClient client, string region, string ns, string key)
        {
            SemaphoreSlim gate;
            lock (_sync)
            {
                gate = _order.TryGetValue((region, key), out var g) ? g : _order[(region, key)] = new SemaphoreSlim(1, 1);
            }

            await gate.WaitAsync();
            try
            {
                var read = await client.GetAsync(ns, key);
                Observe(region, key, read);
                return read;
            }
            finally
            {
                gate.Release();
            }
        }

        private readonly Dictionary<(string, string), HashSet<string>> _visible = [];
        private readonly Dictionary<(string, string), HashSet<string>> _gone = [];
        private readonly List<string> _violations = [];

        private void Observe(string region, string key, KvRead read)
        {
            lock (_sync)
            {
                var id = (region, key);
                var visible = _visible.TryGetValue(id, out var v) ? v : _visible[id] = [];
                var gone = _gone.TryGetValue(id, out var g) ? g : _gone[id] = [];
                var now = read.Siblings.Select(x => x.Dot).ToHashSet();
                foreach (var dot in now.Where(gone.Contains))
                {
                    _violations.Add($"{dot} reappeared at {region} for {key}");
                }

                foreach (var dot in visible.Where(d => !now.Contains(d)))
                {
                    gone.Add(dot);
                }

                visible.Clear();
                visible.UnionWith(now);
            }
        }

        public void AssertNoResurrection()
        {
            lock (_sync)
            {
                Assert.True(_violations.Count == 0, "Resurrected bins: " + string.Join("; ", _violations));
            }
        }
    }
}
