using HdrHistogram;

namespace OrleansCausal.LoadTool.OpenLoop;

/// <summary>Percentiles (milliseconds) of an HdrHistogram that holds latencies in microseconds.</summary>
internal sealed record LatencySummary(long Count, double P50Ms, double P99Ms, double P999Ms, double MaxMs)
{
    /// <summary>1 µs to 10 minutes at 3 significant digits.</summary>
    public static LongConcurrentHistogram NewHistogram() => new(1, 600_000_000, 3);

    public static LatencySummary Of(HistogramBase histogram) => histogram.TotalCount == 0
        ? new LatencySummary(0, double.NaN, double.NaN, double.NaN, double.NaN)
        : new LatencySummary(
            histogram.TotalCount,
            histogram.GetValueAtPercentile(50) / 1000.0,
            histogram.GetValueAtPercentile(99) / 1000.0,
            histogram.GetValueAtPercentile(99.9) / 1000.0,
            histogram.GetMaxValue() / 1000.0);
}
