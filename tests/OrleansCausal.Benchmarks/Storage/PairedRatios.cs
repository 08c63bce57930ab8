using System.Diagnostics;
using System.Globalization;

namespace OrleansCausal.Benchmarks.Storage;

/// <summary>
/// The bookkeeping of the paired (interleaved) storage benchmarks: each pair times a block of raw upserts and then a
/// block of causal puts and keeps the throughput ratio causal / raw; the summary line reports the median.
/// </summary>
internal sealed class PairedRatios
{
    private readonly List<double> _ratios = [];

    public void Clear() => _ratios.Clear();

    public async Task MeasurePairAsync(Func<int, Task> raw, Func<int, Task> causal, int putsPerSide)
    {
        var clock = Stopwatch.StartNew();
        await raw(putsPerSide);
        var rawTime = clock.Elapsed;
        clock.Restart();
        await causal(putsPerSide);
        _ratios.Add(rawTime / clock.Elapsed);
    }

    /// <summary><c>{label} writers=N pairs=P median-ratio=R min=… max=…</c></summary>
    public string Summary(string label, int writers)
    {
        var sorted = _ratios.Order().ToArray();
        var median = sorted.Length == 0 ? double.NaN : sorted[sorted.Length / 2];
        return string.Create(CultureInfo.InvariantCulture,
            $"{label} writers={writers} pairs={sorted.Length} median-ratio={median:F2} min={sorted.FirstOrDefault():F2} max={sorted.LastOrDefault():F2}");
    }
}
