using OrleansCausal.Storage;
using Xunit.Abstractions;

namespace OrleansCausal.Replication.Tests.TestCluster;

/// <summary>
/// N regions in the test process, each an Orleans test cluster of one or more silos (<see cref="TestRegion"/>) serving
/// HTTP on 127.0.0.1:0; each region has its own store (a SQLite file in a temp directory, or a PostgreSQL database its
/// silos share). Replication runs over real HTTP through a
/// <see cref="LinkProxy"/>, whose per-link <see cref="LinkFaults"/> cut, heal, delay, duplicate and reorder
/// batches. Usage:
/// <code>
/// await using var cluster = await TestCluster.StartAsync(new() { Regions = ["A", "B"] });
/// cluster.Cut("A", "B");  ...  cluster.HealAll();  await cluster.WaitForQuiescenceAsync(TimeSpan.FromSeconds(30));
/// </code>
/// </summary>
public sealed class TestCluster : IAsyncDisposable
{
    public const string SigningKey = "test-cluster-context-signing-key-0123456789";

    private readonly TestClusterOptions _options;
    private readonly string _root;

    private TestCluster(TestClusterOptions options, string root, LinkProxy proxy)
    {
        _options = options;
        _root = root;
        Proxy = proxy;
    }

    public LinkProxy Proxy { get; }

    public Dictionary<string, TestRegion> Regions { get; } = new(StringComparer.Ordinal);

    public TestRegion this[string region] => Regions[region];

    public static async Task<TestCluster> StartAsync(TestClusterOptions options)
    {
        var root = Path.Combine(Path.GetTempPath(), "oc-cluster-" + Guid.NewGuid().ToString("n")[..12]);
        Directory.CreateDirectory(root);
        TestCluster? cluster = null;
        var proxy = await LinkProxy.StartAsync(region => cluster!.Regions.TryGetValue(region, out var r) ? r.LiveAddresses : [], options.Seed);
        cluster = new TestCluster(options, root, proxy);
        foreach (var name in options.Regions)
        {
            cluster.AddRegion(name, options.StoreForRegion is null ? null : await options.StoreForRegion(name));
        }

        if (options.ConnectAll)
        {
            foreach (var from in options.Regions)
            {
                foreach (var to in options.Regions.Where(to => to != from))
                {
                    cluster[from].Configuration.Set($"Peers:{to}", proxy.PeerUrl(from, to).ToString());
                }
            }
        }

        await Task.WhenAll(cluster.Regions.Values.Select(async region =>
        {
            foreach (var silo in region.Silos)
            {
                await silo.StartAsync();
            }
        }));
        return cluster;
    }

    /// <summary>Adds a region (not started; call <see cref="TestSilo.StartAsync"/> on its silos).</summary>
    public TestRegion AddRegion(string name, string? store = null)
    {
        var directory = Path.Combine(_root, name);
        Directory.CreateDirectory(directory);
        var silos = _options.SilosInRegion.TryGetValue(name, out var count) ? count : _options.SilosPerRegion;
        if (silos > 1 && store is null)
        {
            throw new ArgumentException($"Region {name} has {silos} silos: they need a store they can share (a PostgreSQL database from StoreForRegion), as in production; SQLite serves one silo.");
        }

        var settings = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase)
        {
            ["Region"] = name,
            ["Urls"] = "http://127.0.0.1:0",
            ["Store"] = store ?? "sqlite:" + Path.Combine(directory, $"{name}.db"),
            ["Context:SigningKey"] = SigningKey,
            ["Namespaces:Open"] = "true",
            ["Replication:InitialBackoff"] = "00:00:00.020",
            ["Replication:MaxBackoff"] = "00:00:00.500",
            ["Replication:HeartbeatInterval"] = "00:00:00.250",
            ["Replication:IdlePollInterval"] = "00:00:00.250",
            ["Replication:ShipperKeepAliveInterval"] = "00:00:00.250",
            ["Replication:RequestTimeout"] = "00:00:05",
        };
        if (_options.ReplicationSecret is not null)
        {
            settings["Replication:Secret"] = _options.ReplicationSecret;
        }

        foreach (var (key, value) in _options.Settings)
        {
            settings[key] = value;
        }

        var configure = _options.ConfigureServices;
        var region = new TestRegion(name, directory, silos, settings, configure is null ? null : services => configure(name, services));
        Regions[name] = region;
        return region;
    }

    /// <summary>Makes <paramref name="from"/> ship to <paramref name="to"/> (a configuration change, applied live).</summary>
    public void Connect(string from, string to)
    {
        this[from].Configuration.Set($"Peers:{to}", Proxy.PeerUrl(from, to).ToString());
        this[from].Configuration.Reload();
    }

    /// <summary>Removes <paramref name="to"/> from <paramref name="from"/>'s peers (applied live).</summary>
    public void Disconnect(string from, string to)
    {
        this[from].Configuration.Remove($"Peers:{to}");
        this[from].Configuration.Reload();
    }

    public LinkFaults Link(string from, string to) => Proxy.Link(from, to);

    /// <summary>Cuts both directions between two regions.</summary>
    public void Cut(string a, string b)
    {
        Link(a, b).IsCut = true;
        Link(b, a).IsCut = true;
    }

    public void Heal(string a, string b)
    {
        Link(a, b).Heal();
        Link(b, a).Heal();
    }

    /// <summary>Cuts every link to and from <paramref name="region"/>.</summary>
    public void Isolate(string region)
    {
        foreach (var other in Regions.Keys.Where(r => r != region))
        {
            Cut(region, other);
        }
    }

    public void HealAll()
    {
        foreach (var from in Regions.Keys)
        {
            foreach (var to in Regions.Keys.Where(t => t != from))
            {
                Link(from, to).Heal();
            }
        }
    }

    /// <summary>
    /// Waits until every running region reports an empty backlog to every peer, no late delivery is pending, and
    /// that holds across two consecutive checks. Fails with the per-peer status when <paramref name="timeout"/> passes.
    /// </summary>
    public async Task WaitForQuiescenceAsync(TimeSpan timeout, ITestOutputHelper? output = null)
    {
        var deadline = DateTime.UtcNow + timeout;
        var quietRounds = 0;
        string last = "(no status read)";
        while (DateTime.UtcNow < deadline)
        {
            await Proxy.WhenIdleAsync();
            var busy = false;
            var lines = new List<string>();
            foreach (var region in Regions.Values.Where(r => r.Silos.Any(s => s.IsRunning)))
            {
                foreach (var peer in await region.StatusAsync())
                {
                    lines.Add($"{region.Name}->{peer.Region}: backlog {peer.Backlog}, shipped {peer.LastShippedSequence}, lag {peer.Lag.TotalMilliseconds:F0}ms, shipper {peer.Shipper ?? "-"}, error {peer.LastError ?? "-"}");
                    busy |= peer.Backlog > 0 || (peer.LastError is not null && Link(region.Name, peer.Region) is { IsCut: false });
                }
            }

            last = string.Join(Environment.NewLine, lines);
            quietRounds = busy ? 0 : quietRounds + 1;
            if (quietRounds >= 3)
            {
                return;
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"Replication did not quiesce within {timeout.TotalSeconds:F0}s (expected backlog 0 everywhere). Last status:{Environment.NewLine}{last}");
    }

    /// <summary>Every record of every running region's store, keyed by region.</summary>
    public async Task<Dictionary<string, IReadOnlyList<(RecordKey Key, Core.CausalRecord Record)>>> SnapshotAsync()
    {
        var result = new Dictionary<string, IReadOnlyList<(RecordKey, Core.CausalRecord)>>(StringComparer.Ordinal);
        foreach (var region in Regions.Values.Where(r => r.Silos.Any(s => s.IsRunning)))
        {
            var all = new List<(RecordKey, Core.CausalRecord)>();
            RecordKey? after = null;
            while (true)
            {
                var page = await region.Silo.Store.ScanAsync(after, 1000, CancellationToken.None);
                if (page.Count == 0)
                {
                    break;
                }

                all.AddRange(page);
                after = page[^1].Key;
            }

            result[region.Name] = all;
        }

        return result;
    }

    /// <summary>Asserts that every running region holds identical records (bins and clocks) and returns them.</summary>
    public async Task<IReadOnlyList<(RecordKey Key, Core.CausalRecord Record)>> AssertConvergedAsync()
    {
        var snapshot = await SnapshotAsync();
        var (firstName, first) = snapshot.First();
        foreach (var (name, records) in snapshot.Skip(1))
        {
            Assert.True(records.Count == first.Count, $"Region {name} holds {records.Count} records, region {firstName} holds {first.Count}.");
            for (var i = 0; i < first.Count; i++)
            {
                Assert.True(first[i].Key == records[i].Key, $"Record #{i}: region {firstName} has {first[i].Key}, region {name} has {records[i].Key}.");
                Assert.True(first[i].Record.Equals(records[i].Record),
                    $"Record {first[i].Key} differs: region {firstName} holds {first[i].Record}, region {name} holds {records[i].Record}.");
            }
        }

        return first;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var region in Regions.Values)
        {
            await region.DisposeAsync();
        }

        await Proxy.DisposeAsync();
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
