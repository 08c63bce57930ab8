using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OrleansCausal.Gateway;
using OrleansCausal.LoadTool;

// The HTTP load tool: drives a silo's gateway with read-then-write-with-context clients, then a bare Kestrel endpoint
// doing a raw upsert into the same SQLite file, and prints throughput, p50/p99/p999 and the gateway/raw ratios.
var options = LoadOptions.Parse(args);
Directory.CreateDirectory(options.DataDirectory);
var databasePath = Path.Combine(options.DataDirectory, "load.db");
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"load: {options.Connections} connections, {options.Duration.TotalSeconds:0} s (+{options.Warmup.TotalSeconds:0} s warm-up) per side, {options.Keys} keys, hot set {options.HotKeys} keys taking {options.HotFraction:P0}, store {databasePath}"));

LatencyRecorder.Summary? gateway = null;
LatencyRecorder.Summary? raw = null;
if (options.Side is "both" or "gateway")
{
    if (options.Target is { } target)
    {
        gateway = await LoadDriver.RunAsync(target, "/v1/kv/default/", options, CancellationToken.None);
    }
    else
    {
        await using var silo = SiloApplication.Build([], c => c.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Region"] = "load",
            ["Urls"] = "http://127.0.0.1:0",
            ["Store"] = options.Store ?? "sqlite:" + databasePath,
            ["Context:SigningKey"] = "load-tool-signing-key-0123456789abcdef",
            ["Logging:LogLevel:Default"] = "Warning",
        }));
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

if (gateway is not null && raw is not null)
{
    Console.WriteLine();
    Console.WriteLine("| side | ops/s | p50 ms | p99 ms | p999 ms | errors |");
    Console.WriteLine("|---|---:|---:|---:|---:|---:|");
    Row("gateway (read + write with context)", gateway);
    Row("bare Kestrel (read + raw upsert)", raw);
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"| ratio gateway / bare | {gateway.PerSecond / raw.PerSecond:0.00} | {gateway.P50Ms / raw.P50Ms:0.00} | {gateway.P99Ms / raw.P99Ms:0.00} | {gateway.P999Ms / raw.P999Ms:0.00} | |"));
}

return 0;

static void Print(string side, LatencyRecorder.Summary s) => Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"{side}: {s.Operations} ops, {s.PerSecond:0} ops/s, p50 {s.P50Ms:0.00} ms, p99 {s.P99Ms:0.00} ms, p999 {s.P999Ms:0.00} ms, {s.Errors} errors"));

static void Row(string side, LatencyRecorder.Summary s) => Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"| {side} | {s.PerSecond:0} | {s.P50Ms:0.00} | {s.P99Ms:0.00} | {s.P999Ms:0.00} | {s.Errors} |"));
