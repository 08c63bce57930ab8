using System.Globalization;

namespace OrleansCausal.LoadTool.OpenLoop;

/// <summary>
/// The open-loop sweep: for each rate, each workload, each side (gateway and bare endpoints, all running at once in
/// this process and driven one at a time, so every rate's rows are measured minutes apart at most), one fixed-rate run;
/// then the table and, per side and workload, the highest rate whose p99 stayed under the bound.
/// </summary>
internal static class RateSweep
{
    public const double P99BoundMs = 5.0;

    public static async Task<IReadOnlyList<Row>> RunAsync(IReadOnlyList<(string Side, Uri Address, string PathPrefix)> sides, LoadOptions options, IPacingClock clock)
    {
        var rows = new List<Row>();
        var clients = sides.ToDictionary(s => s.Side, s => LoadDriver.NewClient(s.Address, options.Connections));
        try
        {
            foreach (var workloadName in options.Workloads)
            {
                foreach (var (side, _, prefix) in sides)
                {
                    await new Workload(workloadName, clients[side], prefix, options, "prefill").PrefillAsync(CancellationToken.None);
                }
            }

            var dispatcher = new OpenLoopDispatcher(clock);
            foreach (var rate in options.Rates)
            {
                foreach (var workloadName in options.Workloads)
                {
                    foreach (var (side, _, prefix) in sides)
                    {
                        var workload = new Workload(workloadName, clients[side], prefix, options, runTag: $"r{rate:0}");
                        var start = clock.Now + clock.TicksPerSecond / 100;
                        var schedule = new RateSchedule(start, rate, clock.TicksPerSecond);
                        var measureFrom = start + (long)(options.Warmup.TotalSeconds * clock.TicksPerSecond);
                        var end = measureFrom + (long)(options.Duration.TotalSeconds * clock.TicksPerSecond);
                        var result = await dispatcher.RunAsync(schedule, measureFrom, end, async index =>
                            new RequestOutcome(await workload.RunAsync(index, CancellationToken.None), clock.Now));
                        var row = new Row(rate, workloadName, side, result, LoadAverage());
                        rows.Add(row);
                        Console.WriteLine(Format(row));
                    }
                }
            }
        }
        finally
        {
            foreach (var client in clients.Values)
            {
                client.Dispose();
            }
        }

        return rows;
    }

    /// <summary>Per side and workload, the highest rate whose p99 stayed under <see cref="P99BoundMs"/> without errors (null: none did).</summary>
    public static IEnumerable<(string Workload, string Side, double? Rate)> HighestRatesUnderBound(IReadOnlyList<Row> rows) =>
        rows.GroupBy(r => (r.Workload, r.Side)).Select(g => (g.Key.Workload, g.Key.Side,
            g.Where(r => r.Result.Errors == 0 && r.Result.Latency.P99Ms < P99BoundMs).Select(r => (double?)r.Rate).Max()));

    public static void PrintTable(IReadOnlyList<Row> rows)
    {
        Console.WriteLine();
        Console.WriteLine("| rate/s | workload | side | achieved/s | p50 ms | p99 ms | p99.9 ms | max ms | errors | load |");
        Console.WriteLine("|--:|---|---|--:|--:|--:|--:|--:|--:|--:|");
        foreach (var row in rows)
        {
            Console.WriteLine(Format(row));
        }

        Console.WriteLine();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| workload | side | highest rate with p99 < {P99BoundMs} ms |"));
        Console.WriteLine("|---|---|--:|");
        foreach (var (workload, side, rate) in HighestRatesUnderBound(rows))
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {workload} | {side} | {(rate is { } r ? r.ToString("N0", CultureInfo.InvariantCulture) : "none")} |"));
        }
    }

    private static string Format(Row row) => string.Create(CultureInfo.InvariantCulture,
        $"| {row.Rate:N0} | {row.Workload} | {row.Side} | {row.Result.CompletedPerSecond:0} | {row.Result.Latency.P50Ms:0.00} | {row.Result.Latency.P99Ms:0.00} | {row.Result.Latency.P999Ms:0.00} | {row.Result.Latency.MaxMs:0.0} | {row.Result.Errors} | {row.LoadAverage} |");

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "?";

    public sealed record Row(double Rate, string Workload, string Side, OpenLoopResult Result, string LoadAverage);
}
