using BenchmarkDotNet.Attributes;
using Microsoft.Data.Sqlite;
using OrleansCausal.Core;
using OrleansCausal.Storage;
using OrleansCausal.Storage.Sqlite;

namespace OrleansCausal.Benchmarks.Storage;

/// <summary>
/// Causal put through <see cref="SqliteRecordStore"/> (read-modify-write of the record, change-feed append, group
/// commit) against the naive baseline: a last-write-wins upsert of the same payload into the same kind of file,
/// through the same driver, with the same durability (WAL, synchronous = FULL) and one commit per statement, each
/// writer on its own connection. The raw row stores the value and its write time (what last-write-wins decides by);
/// the time matters: SQLite skips rewriting a byte-identical row, so an upsert of an unchanged row would commit
/// nothing and never fsync. Every writer rewrites its own keys, carrying the context of its previous write, so
/// records stay one bin and both sides write the same number of rows. Throughput ratio = raw time / causal time.
/// </summary>
[Config(typeof(StorageBenchmarkConfig))]
[BenchmarkCategory("Storage")]
public class SqliteWriteBenchmarks
{
    private const int TotalPutsPerInvocation = 512;
    private const int KeysPerWriter = 8;
    private const string Payload = "{\"status\":\"completed\",\"seat\":\"12F\",\"by\":\"agent-42\",\"note\":\"checked in at gate B14, bag tag 0042\"}";

    private string _directory = string.Empty;
    private SqliteRecordStore _store = null!;
    private SqliteConnection[] _raw = [];
    private SqliteCommand[] _rawUpserts = [];
    private Dictionary<RecordKey, VersionVector>[] _contexts = [];

    [Params(1, 16, 64)]
    public int Writers { get; set; }

    private int PutsPerWriter => TotalPutsPerInvocation / Writers;

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _directory = Path.Combine(Path.GetTempPath(), "oc-bench-storage", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_directory);
        _store = new SqliteRecordStore(new SqliteRecordStoreOptions { Path = Path.Combine(_directory, "causal.db"), Region = RegionId.Parse("bench") });
        await _store.OpenAsync(CancellationToken.None);
        _contexts = [.. Enumerable.Range(0, Writers).Select(_ => new Dictionary<RecordKey, VersionVector>())];

        var rawPath = Path.Combine(_directory, "raw.db");
        _raw = new SqliteConnection[Writers];
        _rawUpserts = new SqliteCommand[Writers];
        for (var w = 0; w < Writers; w++)
        {
            var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = rawPath, Pooling = false, DefaultTimeout = 30 }.ToString());
            connection.Open();
            Execute(connection, "PRAGMA busy_timeout = 30000");
            Execute(connection, "PRAGMA journal_mode = WAL");
            Execute(connection, "PRAGMA synchronous = FULL");
            if (w == 0)
            {
                Execute(connection, "CREATE TABLE IF NOT EXISTS kv (namespace TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL, written_at INTEGER NOT NULL, PRIMARY KEY (namespace, key))");
            }

            var upsert = connection.CreateCommand();
            upsert.CommandText = "INSERT INTO kv (namespace, key, value, written_at) VALUES ($ns, $key, $value, $at) " +
                "ON CONFLICT (namespace, key) DO UPDATE SET value = excluded.value, written_at = excluded.written_at";
            upsert.Parameters.Add(new SqliteParameter("$ns", "bench"));
            upsert.Parameters.Add(new SqliteParameter { ParameterName = "$key" });
            upsert.Parameters.Add(new SqliteParameter("$value", Payload));
            upsert.Parameters.Add(new SqliteParameter { ParameterName = "$at" });
            _raw[w] = connection;
            _rawUpserts[w] = upsert;
        }
    }

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        await _store.DisposeAsync();
        foreach (var command in _rawUpserts)
        {
            command.Dispose();
        }

        foreach (var connection in _raw)
        {
            connection.Dispose();
        }

        Directory.Delete(_directory, recursive: true);
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = TotalPutsPerInvocation)]
    public Task RawLwwUpsert() => RunWritersAsync(w => Task.Run(() =>
    {
        var upsert = _rawUpserts[w];
        for (var i = 0; i < PutsPerWriter; i++)
        {
            upsert.Parameters[1].Value = $"w{w}-{i % KeysPerWriter}";
            upsert.Parameters[3].Value = DateTime.UtcNow.Ticks;
            upsert.ExecuteNonQuery();
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

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
