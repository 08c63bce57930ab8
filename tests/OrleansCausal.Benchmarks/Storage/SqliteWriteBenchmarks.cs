using BenchmarkDotNet.Attributes;

namespace OrleansCausal.Benchmarks.Storage;

/// <summary>
/// Causal put through the SQLite store vs. the naive raw last-write-wins upsert (see <see cref="SqliteWriteWorkload"/>)
/// at 1, 16 and 64 concurrent writers. Throughput ratio causal/raw = raw time / causal time (the inverse of Ratio).
/// </summary>
[Config(typeof(StorageBenchmarkConfig))]
[BenchmarkCategory("Storage")]
public class SqliteWriteBenchmarks
{
    private const int PutsPerInvocation = 512;
    private SqliteWriteWorkload _workload = null!;

    [Params(1, 16, 64)]
    public int Writers { get; set; }

    [GlobalSetup]
    public async Task SetupAsync() => _workload = await SqliteWriteWorkload.CreateAsync(Writers);

    [GlobalCleanup]
    public async Task CleanupAsync() => await _workload.DisposeAsync();

    [Benchmark(Baseline = true, OperationsPerInvoke = PutsPerInvocation)]
    public Task RawLwwUpsert() => _workload.RawAsync(PutsPerInvocation);

    [Benchmark(OperationsPerInvoke = PutsPerInvocation)]
    public Task CausalPut() => _workload.CausalAsync(PutsPerInvocation);
}
