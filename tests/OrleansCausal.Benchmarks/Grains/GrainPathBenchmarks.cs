using BenchmarkDotNet.Attributes;
using OrleansCausal.Core;
using OrleansCausal.Runtime.Grains;
using OrleansCausal.Storage;

namespace OrleansCausal.Benchmarks.Grains;

/// <summary>
/// What the record grain adds on top of its store, on one in-process silo (<see cref="BenchmarkSilo"/>), one caller,
/// one operation at a time. Put: <see cref="IRecordOperations.PutAsync"/> on the store (baseline: read, compute and
/// write in the store) vs. <c>GetRecordGrain(key).WriteAsync</c> from inside the silo process, as the gateway calls it
/// (grain call, cached record, conditional write through the dotted-bins grain storage). Read: a cached
/// <c>ReadAsync</c> through the grain vs. <see cref="IRecordOperations.LoadAsync"/> on the store (baseline).
/// Every side cycles over its own keys, carrying the context its previous put returned, so records stay one bin.
/// With <c>memory</c> the Ratio is the runtime's own overhead; with <c>sqlite</c> the fsync of each put dominates.
/// </summary>
[Config(typeof(GrainBenchmarkConfig))]
[BenchmarkCategory("Grains")]
public class GrainPathBenchmarks
{
    private const string Payload = "{\"status\":\"completed\",\"seat\":\"12F\",\"by\":\"agent-42\",\"note\":\"checked in at gate B14, bag tag 0042\"}";

    private readonly RecordKey[] _storeKeys = BenchmarkKeys.For("store");
    private readonly RecordKey[] _grainKeys = BenchmarkKeys.For("grain");
    private readonly RecordKey[] _readKeys = BenchmarkKeys.For("read");
    private readonly VersionVector[] _storeContexts = BenchmarkKeys.EmptyContexts();
    private readonly VersionVector[] _grainContexts = BenchmarkKeys.EmptyContexts();
    private BenchmarkSilo _silo = null!;
    private IRecordStore _store = null!;
    private IGrainFactory _grains = null!;
    private int _next;

    [Params("memory", "sqlite")]
    public string Store { get; set; } = "memory";

    // The in-process toolchain does not await an async [GlobalSetup] that really yields (the silo start does).
    [GlobalSetup]
    public void Setup()
    {
        _silo = BenchmarkSilo.StartAsync(Store).GetAwaiter().GetResult();
        _store = _silo.Store;
        _grains = _silo.Grains;
        foreach (var key in _readKeys)
        {
            _grains.GetRecordGrain(key).WriteAsync(new RecordWriteCommand(Payload, VersionVector.Empty, Override: false)).GetAwaiter().GetResult();
        }
    }

    [GlobalCleanup]
    public void Cleanup() => _silo.DisposeAsync().AsTask().GetAwaiter().GetResult();

    [Benchmark(Baseline = true, Description = "put: store.PutAsync (baseline)")]
    [BenchmarkCategory("put")]
    public async Task StorePut()
    {
        var i = Next();
        var result = await _store.PutAsync(new PutRequest(_storeKeys[i], Payload, _storeContexts[i]), CancellationToken.None);
        _storeContexts[i] = result.Record.Context;
    }

    [Benchmark(Description = "put: grain.WriteAsync")]
    [BenchmarkCategory("put")]
    public async Task GrainWrite()
    {
        var i = Next();
        var outcome = await _grains.GetRecordGrain(_grainKeys[i]).WriteAsync(new RecordWriteCommand(Payload, _grainContexts[i], Override: false));
        _grainContexts[i] = outcome.Snapshot.Record.Context;
    }

    [Benchmark(Baseline = true, Description = "read: store.LoadAsync (baseline)")]
    [BenchmarkCategory("read")]
    public Task<StoredRecord> StoreLoad() => _store.LoadAsync(_readKeys[Next()], CancellationToken.None);

    [Benchmark(Description = "read: grain.ReadAsync, cached")]
    [BenchmarkCategory("read")]
    public Task<RecordSnapshot> GrainRead() => _grains.GetRecordGrain(_readKeys[Next()]).ReadAsync(null);

    private int Next() => _next = (_next + 1) % BenchmarkKeys.PerSide;
}
