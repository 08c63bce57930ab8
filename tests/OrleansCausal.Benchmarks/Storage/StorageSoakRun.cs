using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OrleansCausal.Gateway;
using OrleansCausal.Runtime.Client;
using OrleansCausal.Storage;

namespace OrleansCausal.Benchmarks.Storage;

/// <summary>
/// Bounded storage soak (README "Bounded storage"; a benchmark, not a test): two regions in one process (two
/// SiloApplications on 127.0.0.1, SQLite files in a temp directory, replication over HTTP), <c>--overwrites</c>
/// read-then-write overwrites of <c>--keys</c> keys through the in-process client, alternating between the regions,
/// with the storage GC running on its own every <c>--gc-interval</c> seconds. Every <c>--report</c> overwrites it prints
/// each region's store size (SQLite page_count × page_size), change-feed entries and records. Run:
/// <c>dotnet run -c Release --project tests/OrleansCausal.Benchmarks -- soak [--overwrites 1000000] [--keys 10000]
/// [--report 100000] [--concurrency 64] [--gc-interval 5]</c>.
/// </summary>
public static class StorageSoakRun
{
    private const string SigningKey = "benchmark-context-signing-key-0123456789";
    private const string Secret = "benchmark-replication-secret";

    public static async Task RunAsync(string[] args)
    {
        var overwrites = Option(args, "--overwrites", 1_000_000);
        var keys = Option(args, "--keys", 10_000);
        var report = Option(args, "--report", 100_000);
        var concurrency = Option(args, "--concurrency", 64);
        var gcSeconds = Option(args, "--gc-interval", 5);
        var root = Path.Combine(Path.GetTempPath(), "oc-soak-" + Guid.NewGuid().ToString("n")[..8]);
        Directory.CreateDirectory(root);
        var (portA, portB) = (FreePort(), FreePort());
        var a = await StartAsync("A", portA, portB, root, gcSeconds);
        var b = await StartAsync("B", portB, portA, root, gcSeconds);
        try
        {
            Console.WriteLine($"# soak: {overwrites} overwrites of {keys} keys, {concurrency} writers alternating A/B, Storage:GcInterval {gcSeconds}s, SQLite (synchronous=FULL)");
            Console.WriteLine("overwrites | elapsed s | A bytes | A feed | A records | B bytes | B feed | B records");
            var clients = new[] { a.Services.GetRequiredService<ICausalClient>(), b.Services.GetRequiredService<ICausalClient>() };
            var next = -1L;
            var done = 0L;
            var watch = Stopwatch.StartNew();
            var nextReport = (long)report;
            var reportGate = new SemaphoreSlim(1, 1);
            await PrintAsync(0, watch, a, b);
            await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async writer =>
            {
                while (true)
                {
                    var i = Interlocked.Increment(ref next);
                    if (i >= overwrites)
                    {
                        return;
                    }

                    var client = clients[i % 2];
                    var key = $"k{i % keys}";
                    var read = await client.GetAsync<long>("soak", key);
                    await client.PutAsync("soak", key, i, read.Context);
                    var count = Interlocked.Increment(ref done);
                    if (count >= Interlocked.Read(ref nextReport) && await reportGate.WaitAsync(0))
                    {
                        try
                        {
                            Interlocked.Add(ref nextReport, report);
                            await PrintAsync(count, watch, a, b);
                        }
                        finally
                        {
                            reportGate.Release();
                        }
                    }
                }
            }));

            await PrintAsync(Interlocked.Read(ref done), watch, a, b);
            // Let replication drain and two GC rounds pass, then the final figures.
            await Task.Delay(TimeSpan.FromSeconds(gcSeconds * 3));
            Console.WriteLine("# after replication drained and GC rounds ran:");
            await PrintAsync(Interlocked.Read(ref done), watch, a, b);
        }
        finally
        {
            await a.StopAsync();
            await b.StopAsync();
            await a.DisposeAsync();
            await b.DisposeAsync();
            Directory.Delete(root, recursive: true);
        }
    }

    private static async Task PrintAsync(long count, Stopwatch watch, WebApplication a, WebApplication b)
    {
        var fa = await a.Services.GetRequiredService<IRecordStore>().GetStorageFiguresAsync(CancellationToken.None);
        var fb = await b.Services.GetRequiredService<IRecordStore>().GetStorageFiguresAsync(CancellationToken.None);
        Console.WriteLine($"{count} | {watch.Elapsed.TotalSeconds:F0} | {fa.Bytes} | {fa.Feed} | {fa.Records} | {fb.Bytes} | {fb.Feed} | {fb.Records}");
    }

    private static async Task<WebApplication> StartAsync(string region, int port, int peerPort, string root, int gcSeconds)
    {
        var peer = region == "A" ? "B" : "A";
        var app = SiloApplication.Build([], builder => builder.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Region"] = region,
            ["Urls"] = $"http://127.0.0.1:{port}",
            ["Store"] = $"sqlite:{Path.Combine(root, region + ".db")}",
            ["Context:SigningKey"] = SigningKey,
            ["Replication:Secret"] = Secret,
            [$"Peers:{peer}"] = $"http://127.0.0.1:{peerPort}",
            ["Namespaces:Open"] = "true",
            ["Storage:GcInterval"] = TimeSpan.FromSeconds(gcSeconds).ToString(),
            ["Logging:LogLevel:Default"] = "Error",
        }));
        await app.StartAsync();
        return app;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static int Option(string[] args, string name, int fallback)
    {
        var index = Array.IndexOf(args, name);
        return index >= 0 && index + 1 < args.Length && int.TryParse(args[index + 1], out var value) ? value : fallback;
    }
}
