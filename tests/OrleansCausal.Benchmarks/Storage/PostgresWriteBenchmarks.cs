using BenchmarkDotNet.Attributes;

namespace OrleansCausal.Benchmarks.Storage;

/// <summary>
/// Causal put through <see cref="OrleansCausal.Storage.Postgres.PostgresRecordStore"/> against a raw last-write-wins
/// upsert (see <see cref="PostgresWriteWorkload"/>) at 1, 16 and 64 concurrent writers, as two benchmarks with the raw
/// one as the baseline: Ratio = causal time / raw time, so throughput causal/raw = 1 / Ratio.
/// Needs <c>ORLEANSCAUSAL_TEST_POSTGRES</c>: <c>eval "$(tests/postgres/start.sh)"</c>.
/// </summary>
[Config(typeof(PostgresBenchmarkConfig))]
[BenchmarkCategory("Storage")]
public class PostgresWriteBenchmarks
{
    private const int TotalPutsPerInvocation = 512;
    private PostgresWriteWorkload _workload = null!;

    [Params(1, 16, 64)]
    public int Writers { get; set; }

    // BenchmarkDotNet 0.14's in-process toolchain starts the workload without awaiting an async [GlobalSetup] that
    // really yields (the PostgreSQL one does), so the setup and cleanup entry points wait synchronously here.
    [GlobalSetup]
    public void Setup() => _workload = PostgresWriteWorkload.CreateAsync(Writers).GetAwaiter().GetResult();

    [GlobalCleanup]
    public void Cleanup() => _workload.DisposeAsync().AsTask().GetAwaiter().GetResult();

    [Benchmark(Baseline = true, OperationsPerInvoke = TotalPutsPerInvocation)]
    public Task RawLwwUpsert() => _workload.RawAsync(TotalPutsPerInvocation);

    [Benchmark(OperationsPerInvoke = TotalPutsPerInvocation)]
    public Task CausalPut() => _workload.CausalAsync(TotalPutsPerInvocation);
}
