using Microsoft.Data.Sqlite;
using OrleansCausal.Core;
using OrleansCausal.Storage;
using OrleansCausal.Storage.Sqlite;

namespace OrleansCausal.Benchmarks.Storage;

/// <summary>
/// The two write paths compared by the storage benchmarks, on files in a temporary directory.
/// Causal: <see cref="SqliteRecordStore.PutAsync"/> (read-modify-write of the record, change-feed append, group commit).
/// Raw: a last-write-wins upsert of the same payload into the same kind of file, through the same driver, with the
/// same durability (WAL, synchronous = FULL) and one commit per statement, each writer on its own connection. The raw
/// row stores the value and its write time (what last-write-wins decides by); the time matters: SQLite skips
/// rewriting a byte-identical row, so an upsert of an unchanged row would commit nothing and never fsync.
/// Every writer rewrites its own keys, carrying the context of its previous write, so records stay one bin and
/// both sides write the same number of rows.
/// </summary>
internal sealed class SqliteWriteWorkload : IAsyncDisposable
{
    private const int KeysPerWriter = 8;
    private const string Payload = "{\"status\":\"completed\",\"seat\":\"12F\",\"by\":\"agent-42\",\"note\":\"checked in at gate B14, bag tag 0042\"}";

    private readonly string _directory;
    private readonly SqliteRecordStore _store;
    private readonly SqliteConnection[] _raw;
    private readonly SqliteCommand[] _rawUpserts;
    private readonly Dictionary<RecordKey, VersionVector>[] _contexts;

    private SqliteWriteWorkload(int writers, string directory, SqliteRecordStore store)
    {
        Writers = writers;
        _directory = directory;
        _store = store;
        _contexts = [.. Enumerable.Range(0, writers).Select(_ => new Dictionary<RecordKey, VersionVector>())];
        var rawPath = Path.Combine(directory, "raw.db");
        _raw = new SqliteConnection[writers];
        _rawUpserts = new SqliteCommand[writers];
        for (var w = 0; w < writers; w++)
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

    public int Writers { get; }

    public static async Task<SqliteWriteWorkload> CreateAsync(int writers)
    {
        var directory = Path.Combine(Path.GetTempPath(), "oc-bench-storage", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        var store = new SqliteRecordStore(new SqliteRecordStoreOptions { Path = Path.Combine(directory, "causal.db"), Region = RegionId.Parse("bench") });
        await store.OpenAsync(CancellationToken.None);
        return new SqliteWriteWorkload(writers, directory, store);
    }

    /// <summary><paramref name="total"/> raw upserts spread over the writers, run concurrently.</summary>
    public Task RawAsync(int total) => RunWritersAsync(total, (w, puts) => Task.Run(() =>
    {
        var upsert = _rawUpserts[w];
        for (var i = 0; i < puts; i++)
        {
            upsert.Parameters[1].Value = $"w{w}-{i % KeysPerWriter}";
            upsert.Parameters[3].Value = DateTime.UtcNow.Ticks;
            upsert.ExecuteNonQuery();
        }
    }));

    /// <summary><paramref name="total"/> causal puts spread over the writers, run concurrently.</summary>
    public Task CausalAsync(int total) => RunWritersAsync(total, (w, puts) =>
        Task.Run(() => CausalPutLoop.RunAsync(_store, _contexts[w], w, puts, KeysPerWriter, Payload)));

    public async ValueTask DisposeAsync()
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

    private Task RunWritersAsync(int total, Func<int, int, Task> writer)
    {
        return Task.WhenAll(Enumerable.Range(0, Writers).Select(w => writer(w, total / Writers)));
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
