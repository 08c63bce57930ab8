using System.Diagnostics;

namespace OrleansCausal.LoadTool;

/// <summary>Per-worker latency samples (Stopwatch ticks) merged into percentiles at the end.</summary>
internal sealed class LatencyRecorder
{
    private readonly List<long> _samples = new(1 << 16);

    public int Count => _samples.Count;

    public void Add(long ticks) => _samples.Add(ticks);

    public static Summary Summarize(IEnumerable<LatencyRecorder> recorders, TimeSpan duration, int errors)
    {
        var all = recorders.SelectMany(r => r._samples).ToArray();
        Array.Sort(all);
        double Percentile(double p) => all.Length == 0 ? double.NaN : all[Math.Min(all.Length - 1, (int)Math.Ceiling(p * all.Length) - 1)] * 1000.0 / Stopwatch.Frequency;
        return new Summary(all.Length, all.Length / duration.TotalSeconds, Percentile(0.50), Percentile(0.99), Percentile(0.999), errors);
    }

    public sealed record Summary(int Operations, double PerSecond, double P50Ms, double P99Ms, double P999Ms, int Errors);
}
