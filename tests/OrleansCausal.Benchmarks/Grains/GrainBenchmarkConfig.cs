using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace OrleansCausal.Benchmarks.Grains;

/// <summary>
/// An in-process job for the grain-path benchmarks (the silo lives in the benchmark process, so the toolchain does too):
/// few iterations to fit two shared cores; allocations counted on every thread (the grain runs on Orleans' threads);
/// one baseline per category, so Ratio compares each grain call with the same store call on the same store.
/// </summary>
public sealed class GrainBenchmarkConfig : ManualConfig
{
    public GrainBenchmarkConfig()
    {
        AddJob(Job.Default
            .WithToolchain(InProcessEmitToolchain.Instance)
            .WithLaunchCount(1)
            .WithWarmupCount(3)
            .WithIterationCount(12)
            .WithId("grain-short"));
        AddDiagnoser(MemoryDiagnoser.Default);
        AddColumn(StatisticColumn.OperationsPerSecond);
        AddColumn(CategoriesColumn.Default);
        AddLogicalGroupRules(BenchmarkLogicalGroupRule.ByCategory);
        HideColumns(Column.Gen0, Column.Gen1, Column.Gen2);
    }
}
