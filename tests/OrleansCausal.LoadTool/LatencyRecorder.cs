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

    /// <param name="CpuTime">CPU time of the whole process (client and server) over the measured window, when known.</param>
    public sealed record Summary(int Operations, double PerSecond, double P50Ms, double P99Ms, double P999Ms, int Errors, TimeSpan? CpuTime = null)
    {
        /// <summary>Process CPU per completed operation, in µs: steadier than throughput on a shared machine, since
        /// time taken by other processes is not counted.</summary>
        public double? CpuMicrosecondsPerOperation => CpuTime is { } cpu && Operations > 0 ? cpu.TotalMicroseconds / Operations : null;
    }
}
