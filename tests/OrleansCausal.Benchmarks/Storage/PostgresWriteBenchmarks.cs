using BenchmarkDotNet.Attributes;
using Npgsql;
using OrleansCausal.Core;
using OrleansCausal.Storage;
using OrleansCausal.Storage.Postgres;

namespace OrleansCausal.Benchmarks.Storage;

/// <summary>
/// Causal put through <see cref="PostgresRecordStore"/> (row lock, read-compute-write of the record with Core,
/// change-feed append, NOTIFY, group commit) against the naive baseline: a last-write-wins upsert
/// (<c>INSERT … ON CONFLICT DO UPDATE</c>) of the same payload into the same database, through the same driver, with
/// the same server durability settings (fsync = on, synchronous_commit = on) and one commit per statement, each
/// writer on its own connection. Every writer rewrites its own keys, carrying the context of its previous write, so
/// records stay one bin and both sides write the same number of rows. Throughput ratio = raw time / causal time.
/// <para>Needs a server: <c>eval "$(tests/postgres/start.sh)"</c> sets <c>ORLEANSCAUSAL_TEST_POSTGRES</c>; the
/// benchmark makes its own database there and drops it at the end.</para>
/// </summary>
[Config(typeof(PostgresBenchmarkConfig))]
[BenchmarkCategory("Storage")]
public class PostgresWriteBenchmarks
{
    private const int TotalPutsPerInvocation = 512;
    private const int KeysPerWriter = 8;
    private const string Payload = "{\"status\":\"completed\",\"seat\":\"12F\",\"by\":\"agent-42\",\"note\":\"checked in at gate B14, bag tag 0042\"}";

    private string _serverConnectionString = string.Empty;
    private string _database = string.Empty;
    private PostgresRecordStore _store = null!;
    private NpgsqlDataSource _rawSource = null!;
    private NpgsqlConnection[] _raw = [];
    private NpgsqlCommand[] _rawUpserts = [];
    private Dictionary<RecordKey, VersionVector>[] _contexts = [];

    [Params(1, 16, 64)]
    public int Writers { get; set; }

    private int PutsPerWriter => TotalPutsPerInvocation / Writers;

    // BenchmarkDotNet 0.14's in-process toolchain starts the workload without awaiting an async [GlobalSetup] that
    // really yields (the PostgreSQL one does), so the setup and cleanup entry points wait synchronously here.
    [GlobalSetup]
    public void Setup() => SetupAsync().GetAwaiter().GetResult();

    [GlobalCleanup]
    public void Cleanup() => CleanupAsync().GetAwaiter().GetResult();

    private async Task SetupAsync()
    {
        _serverConnectionString = Environment.GetEnvironmentVariable("ORLEANSCAUSAL_TEST_POSTGRES")
            ?? throw new InvalidOperationException("Set ORLEANSCAUSAL_TEST_POSTGRES (eval \"$(tests/postgres/start.sh)\") to run the PostgreSQL benchmarks.");
        var name = $"oc_bench_{Guid.NewGuid():N}";
        await using (var admin = new NpgsqlConnection(_serverConnectionString))
        {
            await admin.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", admin);
            await create.ExecuteNonQueryAsync();
        }

        _database = new NpgsqlConnectionStringBuilder(_serverConnectionString) { Database = name, MaxPoolSize = 200 }.ConnectionString;
        var options = new PostgresRecordStoreOptions { ConnectionString = _database, Region = RegionId.Parse("bench") };
        if (int.TryParse(Environment.GetEnvironmentVariable("ORLEANSCAUSAL_BENCH_WRITER_LOOPS"), out var loops))
        {
            options.WriterCount = loops;
        }

        _store = new PostgresRecordStore(options);
        await _store.OpenAsync(CancellationToken.None);
        _contexts = [.. Enumerable.Range(0, Writers).Select(_ => new Dictionary<RecordKey, VersionVector>())];

        _rawSource = NpgsqlDataSource.Create(_database);
        await using (var create = _rawSource.CreateCommand("CREATE TABLE kv (namespace text NOT NULL, key text NOT NULL, value text NOT NULL, PRIMARY KEY (namespace, key))"))
        {
            await create.ExecuteNonQueryAsync();
        }

        _raw = new NpgsqlConnection[Writers];
        _rawUpserts = new NpgsqlCommand[Writers];
        for (var w = 0; w < Writers; w++)
        {
            _raw[w] = await _rawSource.OpenConnectionAsync();
            var upsert = new NpgsqlCommand("INSERT INTO kv (namespace, key, value) VALUES ($1, $2, $3) ON CONFLICT (namespace, key) DO UPDATE SET value = excluded.value", _raw[w]);
            upsert.Parameters.Add(new NpgsqlParameter { Value = "bench" });
            upsert.Parameters.Add(new NpgsqlParameter { Value = string.Empty });
            upsert.Parameters.Add(new NpgsqlParameter { Value = Payload });
            await upsert.PrepareAsync();
            _rawUpserts[w] = upsert;
        }
    }

    private async Task CleanupAsync()
    {
        await _store.DisposeAsync();
        foreach (var command in _rawUpserts)
        {
            await command.DisposeAsync();
        }

        foreach (var connection in _raw)
        {
            await connection.DisposeAsync();
        }

        await _rawSource.DisposeAsync();
        NpgsqlConnection.ClearAllPools();
        await using var admin = new NpgsqlConnection(_serverConnectionString);
        await admin.OpenAsync();
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{new NpgsqlConnectionStringBuilder(_database).Database}\" WITH (FORCE)", admin);
        await drop.ExecuteNonQueryAsync();
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = TotalPutsPerInvocation)]
    public Task RawLwwUpsert() => RunWritersAsync(w => Task.Run(async () =>
    {
        var upsert = _rawUpserts[w];
        for (var i = 0; i < PutsPerWriter; i++)
        {
            upsert.Parameters[1].Value = $"w{w}-{i % KeysPerWriter}";
            await upsert.ExecuteNonQueryAsync();
        }
    }));

    [Benchmark(OperationsPerInvoke = TotalPutsPerInvocation)]
    public Task CausalPut() => RunWritersAsync(w => Task.Run(async () =>
    {
        var contexts = _contexts[w];
        for (var i = 0; i < PutsPerWriter; i++)
        {
            var key = new RecordKey("bench", $"w{w}-{i % KeysPerWriter}");
            var context = contexts.GetValueOrDefault(key, VersionVector.Empty);
            var result = await _store.PutAsync(new PutRequest(key, Payload, context), CancellationToken.None);
            contexts[key] = result.Record.Context;
        }
    }));

    private Task RunWritersAsync(Func<int, Task> writer) => Task.WhenAll(Enumerable.Range(0, Writers).Select(writer));
}
