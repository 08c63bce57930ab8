using System.Buffers;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using OrleansCausal.Core;
using OrleansCausal.Core.Resolvers;
using OrleansCausal.Gateway.Contracts;
using OrleansCausal.Runtime.Namespaces;
using OrleansCausal.Runtime.Records;
using OrleansCausal.Storage;

namespace OrleansCausal.Benchmarks.Gateway;

/// <summary>
/// The body of a GET/PUT response for a record with 1 and 32 (the sibling cap) siblings, as the gateway writes it,
/// into a reused buffer. Baseline: <see cref="RecordResponse"/> built per request and serialized by System.Text.Json
/// with ASP.NET Core's web defaults (what <c>TypedResults.Ok(RecordResponse)</c> did); after: <see cref="RecordResult.Write"/>. The floor: only the sibling
/// values copied into a JSON array — the part no response can avoid.
/// </summary>
[MemoryDiagnoser]
[BenchmarkCategory("gateway")]
public class RecordResponseBenchmarks
{
    private static readonly DateTimeOffset Now = new(2026, 12, 2, 1, 0, 0, TimeSpan.Zero);
    private static readonly JsonSerializerOptions WebOptions = new(JsonSerializerDefaults.Web);
    private readonly ArrayBufferWriter<byte> _buffer = new(64 * 1024);
    private RecordView _view = null!;
    private string _token = string.Empty;

    [Params(1, 32)]
    public int Siblings { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var regions = new[] { new ReplicaId(RegionId.Parse("load"), 0x5868e9d3), new ReplicaId(RegionId.Parse("us-east"), 0x2b3c4d5e) };
        var record = CausalRecord.Empty;
        for (var i = 0; i < Siblings; i++)
        {
            var writer = regions[i % regions.Length];
            var value = $"{{\"n\":{i},\"seat\":\"12F\",\"passenger\":{{\"name\":\"Ada Lovelace\",\"tier\":\"gold\"}}}}";
            var bin = new Bin(new Dot(writer, (ulong)(i / regions.Length) + 1), value, VersionVector.Empty, Now.AddMilliseconds(i), "load-tool");
            record = record.Merge([bin]).Record;
        }

        var settings = new NamespaceSettings("default", LwwResolver.Instance, "lww", 32);
        _view = new RecordView(new RecordKey("default", "hot-7"), record, LwwResolver.Instance.Resolve(record.Siblings), settings);
        _token = new OrleansCausal.Core.Tokens.ContextTokenCodec("benchmark-signing-key-of-at-least-32-chars").Encode(record.Context, "default", "hot-7");
    }

    [Benchmark(Baseline = true, Description = "RecordResponse via JsonSerializer (before)")]
    public int SerializedRecordResponse()
    {
        _buffer.ResetWrittenCount();
        using var writer = new Utf8JsonWriter(_buffer);
        JsonSerializer.Serialize(writer, RecordResponse.From(_view, _token), WebOptions);
        return _buffer.WrittenCount;
    }

    [Benchmark(Description = "RecordResult.Write (after)")]
    public int RecordResultWriter()
    {
        _buffer.ResetWrittenCount();
        using var writer = new Utf8JsonWriter(_buffer);
        RecordResult.Write(writer, _view, _token);
        writer.Flush();
        return _buffer.WrittenCount;
    }

    [Benchmark(Description = "floor: the sibling values only")]
    public int ValuesOnly()
    {
        _buffer.ResetWrittenCount();
        using var writer = new Utf8JsonWriter(_buffer);
        writer.WriteStartArray();
        foreach (var bin in _view.Siblings)
        {
            writer.WriteRawValue(bin.Value!, skipInputValidation: true);
        }

        writer.WriteEndArray();
        writer.Flush();
        return _buffer.WrittenCount;
    }
}
