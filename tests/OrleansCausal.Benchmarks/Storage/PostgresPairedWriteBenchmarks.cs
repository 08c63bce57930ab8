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
    private readonly PairedRatios _ratios = new();
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
        Console.WriteLine(_ratios.Summary("PAIRED-POSTGRES", Writers));
        _workload.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }

    [Benchmark(OperationsPerInvoke = PutsPerSide)]
    public Task RawThenCausalPair() => _ratios.MeasurePairAsync(_workload.RawAsync, _workload.CausalAsync, PutsPerSide);
}
