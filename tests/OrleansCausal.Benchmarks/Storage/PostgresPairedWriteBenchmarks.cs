using System.Diagnostics;
using System.Globalization;
using BenchmarkDotNet.Attributes;

namespace OrleansCausal.Benchmarks.Storage;

/// <summary>
/// The same comparison as <see cref="PostgresWriteBenchmarks"/>, interleaved: every invocation runs a block of raw
/// upserts and then a block of causal puts and records the throughput ratio (causal / raw) of that pair, so both
/// sides see the same disk and CPU conditions (on a shared machine fsync latency and CPU share drift by several times
/// within a minute). The median of the pair ratios is printed at cleanup as
/// <c>PAIRED-POSTGRES writers=N pairs=P median-ratio=R</c>; the Mean column is the time of one raw + one causal put.
/// </summary>
[Config(typeof(PostgresBenchmarkConfig))]
[BenchmarkCategory("Storage")]
public class PostgresPairedWriteBenchmarks
{
    private const int PutsPerSide = 256;
    private readonly List<double> _ratios = [];
    private PostgresWriteWorkload _workload = null!;

    [Params(1, 16, 64)]
    public int Writers { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _ratios.Clear();
        _workload = PostgresWriteWorkload.CreateAsync(Writers).GetAwaiter().GetResult();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        var sorted = _ratios.Order().ToArray();
        var median = sorted.Length == 0 ? double.NaN : sorted[sorted.Length / 2];
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"PAIRED-POSTGRES writers={Writers} pairs={sorted.Length} median-ratio={median:F2} min={sorted.FirstOrDefault():F2} max={sorted.LastOrDefault():F2}"));
        _workload.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }

    [Benchmark(OperationsPerInvoke = PutsPerSide)]
    public async Task RawThenCausalPair()
    {
        var clock = Stopwatch.StartNew();
        await _workload.RawAsync(PutsPerSide);
        var raw = clock.Elapsed;
        clock.Restart();
        await _workload.CausalAsync(PutsPerSide);
        var causal = clock.Elapsed;
        _ratios.Add(raw / causal);
    }
}
