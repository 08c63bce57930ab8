using BenchmarkDotNet.Attributes;

namespace OrleansCausal.Benchmarks.Storage;

/// <summary>
/// The same comparison as <see cref="SqliteWriteBenchmarks"/>, interleaved: every invocation runs a block of raw
/// upserts and then a block of causal puts and records the throughput ratio of that pair, so both sides see the same
/// disk and CPU conditions (on a shared machine, fsync latency drifts by several times within a minute, which skews
/// two benchmarks measured one after the other). The median of the pair ratios is printed at cleanup as
/// <c>PAIRED writers=N pairs=P median-ratio=R</c>; the Mean column is the time of one raw + one causal put.
/// </summary>
[Config(typeof(StorageBenchmarkConfig))]
[BenchmarkCategory("Storage")]
public class SqlitePairedWriteBenchmarks
{
    private const int PutsPerSide = 256;
    private readonly PairedRatios _ratios = new();
    private SqliteWriteWorkload _workload = null!;

    [Params(1, 16, 64)]
    public int Writers { get; set; }

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _ratios.Clear();
        _workload = await SqliteWriteWorkload.CreateAsync(Writers);
    }

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        Console.WriteLine(_ratios.Summary("PAIRED", Writers));
        await _workload.DisposeAsync();
    }

    [Benchmark(OperationsPerInvoke = PutsPerSide)]
    public Task RawThenCausalPair() => _ratios.MeasurePairAsync(_workload.RawAsync, _workload.CausalAsync, PutsPerSide);
}
