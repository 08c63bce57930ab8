using System.Buffers;
using System.Text;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.DependencyInjection;
using OrleansCausal.Core;
using OrleansCausal.Core.Tokens;
using OrleansCausal.Gateway.Contracts;
using OrleansCausal.Runtime.Records;
using OrleansCausal.Storage;

namespace OrleansCausal.Benchmarks.Grains;

/// <summary>
/// The gateway's PUT from request body to commit and response body, in process, one caller, and each of its steps
/// alone, against the store's own put (baseline) on the same store. "gateway PUT path" is what the endpoint does after
/// Kestrel hands it the body: check the JSON value, verify the Causal-Context token, write through the record grain
/// (<see cref="RecordService.PutAsync"/>: grain call, conditional write through the grain storage, commit), sign the
/// new context and write the response body. What is left to a request beyond this is HTTP (Kestrel, routing, auth,
/// filters). Each put carries the context of its key's previous put, so records stay one sibling.
/// </summary>
[Config(typeof(GrainBenchmarkConfig))]
[BenchmarkCategory("PutPath")]
public class PutPathBenchmarks
{
    private static readonly byte[] Body = Encoding.UTF8.GetBytes("{\"status\":\"completed\",\"seat\":\"12F\",\"by\":\"agent-42\",\"note\":\"checked in at gate B14, bag tag 0042\"}");
    private readonly ContextTokenCodec _codec = new("benchmark-signing-key-of-at-least-32-chars");
    private readonly ArrayBufferWriter<byte> _response = new(4096);
    private readonly RecordKey[] _storeKeys = BenchmarkKeys.For("store");
    private readonly RecordKey[] _pathKeys = BenchmarkKeys.For("path");
    private readonly VersionVector[] _storeContexts = BenchmarkKeys.EmptyContexts();
    private readonly string?[] _pathTokens = new string?[BenchmarkKeys.PerSide];
    private BenchmarkSilo _silo = null!;
    private RecordService _records = null!;
    private RecordView _view = null!;
    private string _token = string.Empty;
    private string _json = string.Empty;
    private int _next;

    [Params("memory", "sqlite")]
    public string Store { get; set; } = "memory";

    [GlobalSetup]
    public void Setup()
    {
        _silo = BenchmarkSilo.StartAsync(Store).GetAwaiter().GetResult();
        _records = _silo.Services.GetRequiredService<RecordService>();
        _json = _records.Validator.ValidateValue(Body);
        var key = new RecordKey("default", "steps");
        _view = _records.PutAsync(key, _json, VersionVector.Empty, overrideAll: false, CancellationToken.None).GetAwaiter().GetResult();
        _token = _codec.Encode(_view.Context, key.Namespace, key.Key);
    }

    [GlobalCleanup]
    public void Cleanup() => _silo.DisposeAsync().AsTask().GetAwaiter().GetResult();

    [Benchmark(Baseline = true, Description = "store.PutAsync (baseline)")]
    public async Task StorePut()
    {
        var i = Next();
        var result = await _silo.Store.PutAsync(new PutRequest(_storeKeys[i], _records.Validator.ValidateValue(Body), _storeContexts[i]), CancellationToken.None);
        _storeContexts[i] = result.Record.Context;
    }

    [Benchmark(Description = "gateway PUT path: body → commit → response")]
    public async Task<int> GatewayPutPath()
    {
        var i = Next();
        var key = _pathKeys[i];
        _records.Resolve(key);
        var json = _records.Validator.ValidateValue(Body);
        var context = _pathTokens[i] is { } token ? _codec.Decode(token, key.Namespace, key.Key) : VersionVector.Empty;
        var view = await _records.PutAsync(key, json, context, overrideAll: false, CancellationToken.None);
        var newToken = _codec.Encode(view.Context, key.Namespace, key.Key);
        _pathTokens[i] = newToken;
        return WriteResponse(view, newToken);
    }

    [Benchmark(Description = "step: check the JSON body")]
    public string ValidateBody() => _records.Validator.ValidateValue(Body);

    [Benchmark(Description = "step: verify the context token")]
    public VersionVector DecodeToken() => _codec.Decode(_token, "default", "steps");

    [Benchmark(Description = "step: sign the new context")]
    public string EncodeToken() => _codec.Encode(_view.Context, "default", "steps");

    [Benchmark(Description = "step: write the response body")]
    public int ResponseBody() => WriteResponse(_view, _token);

    private int WriteResponse(RecordView view, string token)
    {
        _response.ResetWrittenCount();
        using var writer = new Utf8JsonWriter(_response);
        RecordResult.Write(writer, view, token);
        writer.Flush();
        return _response.WrittenCount;
    }

    private int Next() => _next = (_next + 1) % BenchmarkKeys.PerSide;
}
