using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OrleansCausal.Gateway;
using OrleansCausal.LoadTool;
using OrleansCausal.LoadTool.OpenLoop;

// The HTTP load tool: drives a silo's gateway, then two bare Kestrel endpoints on the same SQLite file — a naive one
// (each PUT commits alone) and a group-committed one (one writer thread, one transaction per batch). Closed loop (the
// default): N clients back to back, prints throughput, p50/p99/p999 and the gateway/naive and gateway/group ratios.
// Open loop (--rate N[,N…] or --rate sweep): requests sent on a clock at each rate, latency counted from the scheduled
// send time (coordinated omission corrected), all sides up at once and driven one after another per rate.
var options = LoadOptions.Parse(args);
Directory.CreateDirectory(options.DataDirectory);
var databasePath = Path.Combine(options.DataDirectory, "load.db");
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"load: {(options.OpenLoop ? "open loop at " + string.Join(", ", options.Rates) + " ops/s, " : "closed loop, ")}workloads {string.Join(", ", options.Workloads)}, {options.Connections} connections, {options.Duration.TotalSeconds:0} s (+{options.Warmup.TotalSeconds:0} s warm-up) per side, {options.Keys} keys, hot set {options.HotKeys} keys taking {options.HotFraction:P0}, store {databasePath}"));

if (options.OpenLoop)
{
    await using var sides = await OpenLoopSides.StartAsync(options, databasePath);
    var rows = await RateSweep.RunAsync(sides.All, options, MonotonicPacingClock.Instance);
    RateSweep.PrintTable(rows);
    return 0;
}

LatencyRecorder.Summary? gateway = null;
LatencyRecorder.Summary? raw = null;
LatencyRecorder.Summary? group = null;
if (options.Side is "both" or "gateway")
{
    if (options.Target is { } target)
    {
        gateway = await LoadDriver.RunAsync(target, "/v1/kv/default/", options, CancellationToken.None);
    }
    else
    {
        await using var silo = LoadSilo.Build(options, databasePath);
        await silo.StartAsync();
        var address = new Uri(silo.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single());
        gateway = await LoadDriver.RunAsync(address, "/v1/kv/default/", options, CancellationToken.None);
        await silo.StopAsync();
    }

    Print("gateway", gateway);
}

if (options.Side is "both" or "raw")
{
    await using var bare = await BareKestrelEndpoint.StartAsync(databasePath);
    raw = await LoadDriver.RunAsync(bare.Address, "/raw/", options, CancellationToken.None);
    Print("bare Kestrel raw upsert", raw);
}

if (options.Side is "both" or "raw-group")
{
    await using var bare = await GroupCommitBareEndpoint.StartAsync(databasePath);
    group = await LoadDriver.RunAsync(bare.Address, "/raw/", options, CancellationToken.None);
    Print("bare Kestrel group-commit upsert", group);
}

if (gateway is not null && (raw is not null || group is not null))
{
    Console.WriteLine();
    Console.WriteLine("| side | ops/s | p50 ms | p99 ms | p999 ms | errors |");
    Console.WriteLine("|---|---:|---:|---:|---:|---:|");
    Row($"gateway ({options.Workloads[0]})", gateway);
    if (raw is not null)
    {
        Row($"bare Kestrel naive ({options.Workloads[0]}, one commit per PUT)", raw);
    }

    if (group is not null)
    {
        Row($"bare Kestrel group-commit ({options.Workloads[0]}, one commit per batch)", group);
    }

    if (raw is not null)
    {
        Ratio("naive", gateway, raw);
    }

    if (group is not null)
    {
        Ratio("group-commit", gateway, group);
    }
}

return 0;

static void Print(string side, LatencyRecorder.Summary s) => Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"{side}: {s.Operations} ops, {s.PerSecond:0} ops/s, p50 {s.P50Ms:0.00} ms, p99 {s.P99Ms:0.00} ms, p999 {s.P999Ms:0.00} ms, {s.Errors} errors{(s.CpuMicrosecondsPerOperation is { } cpu ? $", cpu {cpu:0} µs/op" : "")}"));

static void Ratio(string bare, LatencyRecorder.Summary g, LatencyRecorder.Summary b) => Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"| ratio gateway / bare {bare} | {g.PerSecond / b.PerSecond:0.00} | {g.P50Ms / b.P50Ms:0.00} | {g.P99Ms / b.P99Ms:0.00} | {g.P999Ms / b.P999Ms:0.00} | |"));

static void Row(string side, LatencyRecorder.Summary s) => Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"| {side} | {s.PerSecond:0} | {s.P50Ms:0.00} | {s.P99Ms:0.00} | {s.P999Ms:0.00} | {s.Errors} |"));
