using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OrleansCausal.Gateway;
using OrleansCausal.Runtime.Replication;
using OrleansCausal.Storage;

namespace OrleansCausal.Benchmarks.Replication;

/// <summary>
/// Replication lag and catch-up between two real regions in one process (two SiloApplications on 127.0.0.1, SQLite
/// stores in a temp directory, replication over HTTP with a shared secret). Run:
/// <c>dotnet run -c Release --project tests/OrleansCausal.Benchmarks -- replication [--rate 2000] [--seconds 10] [--backlog 20000]
/// [--store sqlite|postgres] [--set Replication:CatchUpBatchSize=500 ...]</c> (<c>--set</c> passes configuration to
/// both silos, for same-run comparisons of settings). <c>--store postgres</c> gives each region a fresh database on the
/// server named by <c>ORLEANSCAUSAL_TEST_POSTGRES</c> (<c>eval "$(tests/postgres/start.sh)"</c>).
/// <para>
/// Lag: an open-loop writer issues blind PUTs of new keys at region A at the target rate; B's store reports each
/// key as it is merged. Baseline in the same run: the local write latency at A (issue → 200). Reported: p50/p99 of
/// issue → acknowledged at A, of issue → visible at B, and of acknowledged at A → visible at B.
/// Catch-up: B is stopped, <c>--backlog</c> writes are made at A (baseline: their local write throughput), B is
/// started and the time until A's backlog to B is zero gives bins/s.
/// </para>
/// </summary>
public static class ReplicationLagRun
{
    private const string SigningKey = "benchmark-context-signing-key-0123456789";
    private const string Secret = "benchmark-replication-secret";

    public static async Task RunAsync(string[] args)
    {
        var rate = Option(args, "--rate", 2000);
        var seconds = Option(args, "--seconds", 10);
        var backlog = Option(args, "--backlog", 20000);
        Overrides.Clear();
        var storeIndex = Array.IndexOf(args, "--store");
        var postgres = storeIndex >= 0 && storeIndex + 1 < args.Length && args[storeIndex + 1] == "postgres";
        Stores.Clear();
        if (postgres)
        {
            var server = Environment.GetEnvironmentVariable("ORLEANSCAUSAL_TEST_POSTGRES")
                ?? throw new InvalidOperationException("--store postgres needs ORLEANSCAUSAL_TEST_POSTGRES (eval \"$(tests/postgres/start.sh)\").");
            foreach (var region in new[] { "A", "B" })
            {
                var name = $"bench_{region.ToLowerInvariant()}_{Guid.NewGuid():n}"[..24];
                await using var connection = new Npgsql.NpgsqlConnection(server);
                await connection.OpenAsync();
                await using var create = new Npgsql.NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
                await create.ExecuteNonQueryAsync();
                Stores[region] = "postgres:" + new Npgsql.NpgsqlConnectionStringBuilder(server) { Database = name }.ConnectionString;
            }
        }

        Console.WriteLine($"# store: {(postgres ? "PostgreSQL" : "SQLite (synchronous=FULL)")}");
        Console.WriteLine($"# load average at start: {LoadAverage()}");
        for (var i = 0; i + 1 < args.Length; i++)
        {
            if (args[i] == "--set" && args[i + 1].Split('=', 2) is [var key, var value])
            {
                Overrides[key] = value;
                Console.WriteLine($"# setting {key} = {value}");
            }
        }

        var root = Path.Combine(Path.GetTempPath(), "oc-replication-bench-" + Guid.NewGuid().ToString("n")[..8]);
        Directory.CreateDirectory(root);
        try
        {
            var portA = FreePort();
            var portB = FreePort();
            var a = await StartAsync("A", portA, portB, root);
            var b = await StartAsync("B", portB, portA, root);
            var arrivals = new ConcurrentDictionary<string, long>();
            b.Services.GetRequiredService<IRecordStore>().RecordChanged += (_, e) => arrivals.TryAdd(e.Key.Key, Stopwatch.GetTimestamp());

            using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 256 }) { BaseAddress = new Uri($"http://127.0.0.1:{portA}/") };
            await WarmUpAsync(http);

            Console.WriteLine($"# Lag at a target of {rate} writes/s for {seconds} s (A -> B)");
            var (issued, acked, achieved) = await OpenLoopAsync(http, rate, TimeSpan.FromSeconds(seconds));
            var waitUntil = DateTime.UtcNow.AddSeconds(30);
            while (arrivals.Count < issued.Count && DateTime.UtcNow < waitUntil)
            {
                await Task.Delay(20);
            }

            var local = new List<double>();
            var endToEnd = new List<double>();
            var replication = new List<double>();
            foreach (var (key, start) in issued)
            {
                if (acked.TryGetValue(key, out var ack) && arrivals.TryGetValue(key, out var arrived))
                {
                    local.Add(Ms(ack - start));
                    endToEnd.Add(Ms(arrived - start));
                    replication.Add(Math.Max(0, Ms(arrived - ack)));
                }
            }

            Console.WriteLine($"# load average after the lag run: {LoadAverage()}");
            Console.WriteLine($"achieved {achieved:F0} writes/s, {issued.Count} writes, {arrivals.Count} seen at B");
            Console.WriteLine($"baseline  local write (issue -> 200 at A):   p50 {P(local, 50):F2} ms  p99 {P(local, 99):F2} ms");
            Console.WriteLine($"          visible at B (issue -> merged at B): p50 {P(endToEnd, 50):F2} ms  p99 {P(endToEnd, 99):F2} ms  (ratio to baseline p50 {P(endToEnd, 50) / P(local, 50):F2}, p99 {P(endToEnd, 99) / P(local, 99):F2})");
            Console.WriteLine($"          replication lag (200 at A -> merged at B): p50 {P(replication, 50):F2} ms  p99 {P(replication, 99):F2} ms");

            Console.WriteLine($"# Catch-up of {backlog} bins after B was down");
            await b.StopAsync();
            await b.DisposeAsync();
            var writeWatch = Stopwatch.StartNew();
            await ClosedLoopAsync(http, backlog, concurrency: 64);
            writeWatch.Stop();
            var status = a.Services.GetRequiredService<IReplicationStatus>();
            var before = (await status.GetPeersAsync(CancellationToken.None)).Single();
            var catchUpStart = Stopwatch.GetTimestamp();
            var catchUp = Stopwatch.StartNew();
            // The rate of bins applied at B is timed by B's batches from A, as its replication metrics record them
            // (once per batch, after its merge committed): from the first batch to the last one, counting the bins of
            // the batches after the first. So it is what B applies once A ships again, not B's start or A's retry
            // backoff still running from the outage (those are reported separately). B's position (read once per
            // applied batch) tells when the catch-up is complete.
            var storeA = a.Services.GetRequiredService<IRecordStore>();
            var source = storeA.Replica.ToString();
            var target = await storeA.GetLastSequenceAsync(CancellationToken.None);
            using var applied = new AppliedBatches(source);
            Console.WriteLine($"# load average before the catch-up: {LoadAverage()}");
            b = await StartAsync("B", portB, portA, root);
            var started = catchUp.Elapsed;
            var storeB = b.Services.GetRequiredService<IRecordStore>();
            var initial = await storeB.GetInboundPositionAsync(source, CancellationToken.None);
            var position = initial;
            var deadline = TimeSpan.FromMinutes(5);
            while (position < target && catchUp.Elapsed < deadline)
            {
                await applied.NextAsync().WaitAsync(TimeSpan.FromSeconds(1)).ContinueWith(static _ => { }, TaskScheduler.Default);
                position = await storeB.GetInboundPositionAsync(source, CancellationToken.None);
            }

            catchUp.Stop();
            var batches = applied.Batches;
            var (firstAt, firstBins) = batches.Count > 0 ? batches[0] : (catchUpStart, 0);
            var lastAt = batches.Count > 0 ? batches[^1].At : catchUpStart;
            var afterFirst = batches.Skip(1).Sum(static batch => batch.Bins);
            var writeRate = backlog / writeWatch.Elapsed.TotalSeconds;
            var applyRate = afterFirst / Ms(lastAt - firstAt) * 1000.0;
            var totalRate = (position - initial) / catchUp.Elapsed.TotalSeconds;
            Console.WriteLine($"baseline  local writes at A (64 concurrent HTTP clients): {writeRate:F0} bins/s");
            Console.WriteLine($"          catch-up A -> B: backlog {before.Backlog}; B's position {initial} -> {position} (target {target}); first batch applied {Ms(firstAt - catchUpStart):F0} ms after B's start began (start took {started.TotalMilliseconds:F0} ms, the rest is A's retry backoff + the first batch), first batch {firstBins} bins; {batches.Count} batches, {batches.Sum(static batch => batch.Bins)} bins received");
            Console.WriteLine($"          applied at B after the first batch: {afterFirst} bins in {Ms(lastAt - firstAt):F0} ms = {applyRate:F0} bins/s (ratio to local writes {applyRate / writeRate:F2}); whole catch-up incl. B's start and A's backoff: {totalRate:F0} bins/s");
            Console.WriteLine($"# load average after the catch-up: {LoadAverage()}");
            await a.StopAsync();
            await b.StopAsync();
            await a.DisposeAsync();
            await b.DisposeAsync();
        }
        finally
        {
            try
            {
                Directory.Delete(root, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    private static readonly Dictionary<string, string?> Overrides = [];
    private static readonly Dictionary<string, string> Stores = [];

    private static async Task<WebApplication> StartAsync(string region, int port, int peerPort, string root, Action<IRecordStore>? beforeStart = null)
    {
        var peer = region == "A" ? "B" : "A";
        var app = SiloApplication.Build([], builder => builder.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Region"] = region,
            ["Urls"] = $"http://127.0.0.1:{port}",
            ["Store"] = Stores.GetValueOrDefault(region) ?? $"sqlite:{Path.Combine(root, region + ".db")}",
            ["Context:SigningKey"] = SigningKey,
            ["Replication:Secret"] = Secret,
            [$"Peers:{peer}"] = $"http://127.0.0.1:{peerPort}",
            ["Namespaces:Open"] = "true",
            ["Logging:LogLevel:Default"] = "Error",
        }).AddInMemoryCollection(Overrides));
        beforeStart?.Invoke(app.Services.GetRequiredService<IRecordStore>());
        await app.StartAsync();
        _ = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>();
        return app;
    }

    private static async Task WarmUpAsync(HttpClient http)
    {
        for (var i = 0; i < 200; i++)
        {
            await PutAsync(http, $"warm-{i}");
        }
    }

    private static async Task<(List<(string Key, long Start)> Issued, ConcurrentDictionary<string, long> Acked, double Achieved)> OpenLoopAsync(
        HttpClient http, int rate, TimeSpan duration)
    {
        var issued = new List<(string, long)>();
        var acked = new ConcurrentDictionary<string, long>();
        var inflight = new List<Task>();
        var watch = Stopwatch.StartNew();
        var n = 0;
        while (watch.Elapsed < duration)
        {
            var due = (long)(watch.Elapsed.TotalSeconds * rate);
            for (; n < due; n++)
            {
                var key = $"lag-{n}";
                var start = Stopwatch.GetTimestamp();
                issued.Add((key, start));
                inflight.Add(Task.Run(async () =>
                {
                    await PutAsync(http, key);
                    acked[key] = Stopwatch.GetTimestamp();
                }));
            }

            await Task.Delay(1);
        }

        await Task.WhenAll(inflight);
        return (issued, acked, n / watch.Elapsed.TotalSeconds);
    }

    private static async Task ClosedLoopAsync(HttpClient http, int count, int concurrency)
    {
        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < count)
            {
                await PutAsync(http, $"backlog-{i}");
            }
        }));
    }

    private static async Task PutAsync(HttpClient http, string key)
    {
        using var content = new StringContent("{\"v\":1}", Encoding.UTF8, "application/json");
        using var response = await http.PutAsync($"v1/kv/bench/{key}", content);
        response.EnsureSuccessStatusCode();
    }

    /// <summary>The 1, 5 and 15 minute load averages (Linux), to judge how shared the machine was during a run.</summary>
    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(" / ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) + " (1 / 5 / 15 min)" : "n/a";

    private static double Ms(long ticks) => ticks * 1000.0 / Stopwatch.Frequency;

    private static double P(List<double> values, int percentile)
    {
        if (values.Count == 0)
        {
            return double.NaN;
        }

        var sorted = values.Order().ToList();
        return sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(percentile / 100.0 * sorted.Count) - 1)];
    }

    private static int Option(string[] args, string name, int fallback)
    {
        var index = Array.IndexOf(args, name);
        return index >= 0 && index + 1 < args.Length ? int.Parse(args[index + 1], CultureInfo.InvariantCulture) : fallback;
    }

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }
}
