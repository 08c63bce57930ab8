using BenchmarkDotNet.Attributes;
using OrleansCausal.Core;
using OrleansCausal.Core.Resolvers;
using OrleansCausal.Core.Tokens;

namespace OrleansCausal.Benchmarks.Core;

/// <summary>
/// The per-request operations of the core on records with 1, 4 and 32 siblings written from 3 regions.
/// Baseline: a last-write-wins replace of the same value (one new immutable value, no causality), measured in
/// the same run, so the Ratio column says what causality costs.
/// </summary>
[MemoryDiagnoser]
[BenchmarkCategory("core")]
public class CoreRecordBenchmarks
{
    private static readonly DateTimeOffset Now = new(2026, 11, 22, 0, 0, 0, TimeSpan.Zero);
    private const string Value = "{\"seat\":\"12F\"}";

    private readonly ReplicaId[] _regions =
    [
        new(RegionId.Parse("eu-west"), 0x1a2b3c4d),
        new(RegionId.Parse("us-east"), 0x2b3c4d5e),
        new(RegionId.Parse("ap-south"), 0x3c4d5e6f),
    ];

    private readonly ContextTokenCodec _codec = new("benchmark-signing-key-of-at-least-32-chars");
    private CausalRecord _record = CausalRecord.Empty;
    private VersionVector _context = VersionVector.Empty;
    private Bin[] _remote = [];
    private string _token = string.Empty;
    private LwwValue _lww = new(Value, Now);

    [Params(1, 4, 32)]
    public int Siblings { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var record = CausalRecord.Empty;
        for (var i = 0; i < Siblings; i++)
        {
            var writer = _regions[i % _regions.Length];
            var bin = new Bin(new Dot(writer, (ulong)(i / _regions.Length) + 1), Value, VersionVector.Empty, Now.AddMilliseconds(i));
            record = record.Merge([bin]).Record;
        }

        _record = record;
        _context = record.Context;
        _token = _codec.Encode(_context, "seats", "flight-42");
        var remote = _regions[1];
        _remote = [new Bin(new Dot(remote, _record.Clock.Get(remote) + 1), Value, VersionVector.Empty, Now)];
        _lww = new LwwValue(Value, Now);
    }

    [Benchmark(Baseline = true, Description = "lww replace (baseline)")]
    public LwwValue LwwReplace() => _lww.WrittenAt <= Now ? new LwwValue(Value, Now.AddTicks(1)) : _lww;

    [Benchmark(Description = "put, blind (adds a sibling)")]
    public CausalRecord PutBlind() => _record.Put(_regions[0], Value, VersionVector.Empty, Now).Record;

    [Benchmark(Description = "put with read context (resolves siblings)")]
    public CausalRecord PutWithContext() => _record.Put(_regions[0], Value, _context, Now).Record;

    [Benchmark(Description = "read: siblings + lww resolve")]
    public Bin? Read() => LwwResolver.Instance.Resolve(_record.Siblings);

    [Benchmark(Description = "merge one remote bin")]
    public CausalRecord MergeRemoteBin() => _record.Merge(_remote).Record;

    [Benchmark(Description = "token encode")]
    public string TokenEncode() => _codec.Encode(_context, "seats", "flight-42");

    [Benchmark(Description = "token decode + verify")]
    public VersionVector TokenDecode() => _codec.Decode(_token, "seats", "flight-42");

    public sealed record LwwValue(string Value, DateTimeOffset WrittenAt);
}
