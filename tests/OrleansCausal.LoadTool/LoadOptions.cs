using System.Globalization;

namespace OrleansCausal.LoadTool;

/// <summary>Command line: <c>--duration 10 --warmup 2 --connections 64 --keys 10000 --hot-keys 100 --hot-fraction 0.9
/// [--workload get-put|put-fresh|get|put-hot[,…]] [--rate N[,N…]|sweep]
/// [--target http://host:port] [--data DIR] [--side both|gateway|raw|raw-group] (both = gateway, naive bare and group-committed bare) [--store memory: (gateway side only; default the SQLite file)]</c>.
/// Without <c>--rate</c> the run is closed-loop (each connection sends its next operation when the previous one has
/// answered) with the first workload; with it, open-loop at each rate (<c>sweep</c> = 500, 1,000, 2,000, 4,000
/// operations/s) for each workload (default put-fresh, get, get-put).</summary>
internal sealed record LoadOptions(
    TimeSpan Duration,
    TimeSpan Warmup,
    int Connections,
    int Keys,
    int HotKeys,
    double HotFraction,
    Uri? Target,
    string DataDirectory,
    string Side,
    string? Store,
    IReadOnlyList<double> Rates,
    IReadOnlyList<string> Workloads)
{
    public static readonly double[] SweepRates = [500, 1_000, 2_000, 4_000];

    public bool OpenLoop => Rates.Count > 0;

    public static LoadOptions Parse(string[] args)
    {
        var values = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < args.Length; i++)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal) || i + 1 >= args.Length)
            {
                throw new ArgumentException($"Expected '--name value' pairs, got '{args[i]}'.");
            }

            values[args[i][2..]] = args[++i];
        }

        double Number(string name, double fallback) =>
            values.TryGetValue(name, out var text) ? double.Parse(text, CultureInfo.InvariantCulture) : fallback;

        IReadOnlyList<double> rates = values.TryGetValue("rate", out var rateText)
            ? rateText == "sweep" ? SweepRates : rateText.Split(',').Select(r => double.Parse(r, CultureInfo.InvariantCulture)).ToArray()
            : [];
        IReadOnlyList<string> workloads = values.TryGetValue("workload", out var workloadText)
            ? workloadText.Split(',')
            : rates.Count > 0 ? ["put-fresh", "get", "get-put"] : ["get-put"];
        var options = new LoadOptions(
            TimeSpan.FromSeconds(Number("duration", 10)),
            TimeSpan.FromSeconds(Number("warmup", 2)),
            (int)Number("connections", 64),
            (int)Number("keys", 10_000),
            (int)Number("hot-keys", 100),
            Number("hot-fraction", 0.9),
            values.TryGetValue("target", out var target) ? new Uri(target) : null,
            values.TryGetValue("data", out var data) ? Path.GetFullPath(data) : Path.Combine(Path.GetTempPath(), $"oc-load-{Environment.ProcessId}"),
            values.GetValueOrDefault("side", "both"),
            values.GetValueOrDefault("store"),
            rates,
            workloads);
        if (options.Connections < 1 || options.Keys < 1 || options.HotKeys < 1 || options.HotKeys > options.Keys ||
            options.HotFraction is < 0 or > 1 || options.Duration <= TimeSpan.Zero ||
            options.Side is not ("both" or "gateway" or "raw" or "raw-group") ||
            options.Rates.Any(r => r <= 0) || options.Workloads.Any(w => !Workload.Names.Contains(w)))
        {
            throw new ArgumentException($"Need connections >= 1, 1 <= hot-keys <= keys, 0 <= hot-fraction <= 1, duration > 0, side both|gateway|raw|raw-group, rates > 0, workloads among {string.Join(", ", Workload.Names)}.");
        }

        return options;
    }
}
