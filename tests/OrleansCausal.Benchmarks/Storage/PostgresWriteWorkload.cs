using Npgsql;
using OrleansCausal.Core;
using OrleansCausal.Storage;
using OrleansCausal.Storage.Postgres;

namespace OrleansCausal.Benchmarks.Storage;

/// <summary>
/// The two write paths compared by the PostgreSQL benchmarks, in a fresh database on the server named by
/// <c>ORLEANSCAUSAL_TEST_POSTGRES</c> (<c>eval "$(tests/postgres/start.sh)"</c>).
/// Causal: <see cref="PostgresRecordStore.PutAsync"/> (row version check or row lock, read-compute-write of the record
/// with Core, change-feed append, NOTIFY, group commit). Raw: a last-write-wins upsert
/// (<c>INSERT … ON CONFLICT DO UPDATE</c>) of the same payload into the same database, through the same driver
/// (prepared statement), one commit per statement, each writer on its own connection, with the same durability
/// (fsync = on, synchronous_commit = on: the server default, which the store also sets for its sessions).
/// Every writer rewrites its own keys, carrying the context of its previous write, so records stay one bin and
/// both sides write the same number of rows.
/// </summary>
internal sealed class PostgresWriteWorkload : IAsyncDisposable
{
    public const string ServerVariable = "ORLEANSCAUSAL_TEST_POSTGRES";
    private const int KeysPerWriter = 8;
    private const string Payload = "{\"status\":\"completed\",\"seat\":\"12F\",\"by\":\"agent-42\",\"note\":\"checked in at gate B14, bag tag 0042\"}";

    private readonly string _server;
    private readonly string _database;
    private readonly PostgresRecordStore _store;
    private readonly NpgsqlDataSource _rawSource;
    private readonly NpgsqlConnection[] _raw;
    private readonly NpgsqlCommand[] _rawUpserts;
    private readonly Dictionary<RecordKey, VersionVector>[] _contexts;

    private PostgresWriteWorkload(int writers, string server, string database, PostgresRecordStore store, NpgsqlDataSource rawSource, NpgsqlConnection[] raw, NpgsqlCommand[] upserts)
    {
        Writers = writers;
        _server = server;
        _database = database;
        _store = store;
        _rawSource = rawSource;
        _raw = raw;
        _rawUpserts = upserts;
        _contexts = [.. Enumerable.Range(0, writers).Select(_ => new Dictionary<RecordKey, VersionVector>())];
    }

    public int Writers { get; }

    public static async Task<PostgresWriteWorkload> CreateAsync(int writers)
    {
        var server = Environment.GetEnvironmentVariable(ServerVariable)
            ?? throw new InvalidOperationException($"Set {ServerVariable} (eval \"$(tests/postgres/start.sh)\") to run the PostgreSQL benchmarks.");
        var name = $"oc_bench_{Guid.NewGuid():N}";
        await using (var admin = new NpgsqlConnection(server))
        {
            await admin.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", admin);
            await create.ExecuteNonQueryAsync();
        }

        var database = new NpgsqlConnectionStringBuilder(server) { Database = name, MaxPoolSize = 200 }.ConnectionString;
        var options = new PostgresRecordStoreOptions { ConnectionString = database, Region = RegionId.Parse("bench") };
        if (int.TryParse(Environment.GetEnvironmentVariable("ORLEANSCAUSAL_BENCH_WRITER_LOOPS"), out var loops))
        {
            options.WriterCount = loops;
        }

        var store = new PostgresRecordStore(options);
        await store.OpenAsync(CancellationToken.None);

        var rawSource = NpgsqlDataSource.Create(database);
        await using (var create = rawSource.CreateCommand("CREATE TABLE kv (namespace text NOT NULL, key text NOT NULL, value text NOT NULL, PRIMARY KEY (namespace, key))"))
        {
            await create.ExecuteNonQueryAsync();
        }

        var raw = new NpgsqlConnection[writers];
        var upserts = new NpgsqlCommand[writers];
        for (var w = 0; w < writers; w++)
        {
            raw[w] = await rawSource.OpenConnectionAsync();
            var upsert = new NpgsqlCommand("INSERT INTO kv (namespace, key, value) VALUES ($1, $2, $3) ON CONFLICT (namespace, key) DO UPDATE SET value = excluded.value", raw[w]);
            upsert.Parameters.Add(new NpgsqlParameter { Value = "bench" });
            upsert.Parameters.Add(new NpgsqlParameter { Value = string.Empty });
            upsert.Parameters.Add(new NpgsqlParameter { Value = Payload });
            await upsert.PrepareAsync();
            upserts[w] = upsert;
        }

        return new PostgresWriteWorkload(writers, server, database, store, rawSource, raw, upserts);
    }

    /// <summary><paramref name="total"/> raw upserts spread over the writers.</summary>
    public Task RawAsync(int total) => RunWritersAsync(total, async (w, count) =>
    {
        var upsert = _rawUpserts[w];
        for (var i = 0; i < count; i++)
        {
            upsert.Parameters[1].Value = $"w{w}-{i % KeysPerWriter}";
            await upsert.ExecuteNonQueryAsync();
        }
    });

    /// <summary><paramref name="total"/> causal puts spread over the writers.</summary>
    public Task CausalAsync(int total) => RunWritersAsync(total, (w, count) =>
        CausalPutLoop.RunAsync(_store, _contexts[w], w, count, KeysPerWriter, Payload));

    public async ValueTask DisposeAsync()
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
        await using var admin = new NpgsqlConnection(_server);
        await admin.OpenAsync();
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{new NpgsqlConnectionStringBuilder(_database).Database}\" WITH (FORCE)", admin);
        await drop.ExecuteNonQueryAsync();
    }

    private Task RunWritersAsync(int total, Func<int, int, Task> writer)
    {
        var perWriter = Math.Max(1, total / Writers);
        return Task.WhenAll(Enumerable.Range(0, Writers).Select(w => Task.Run(() => writer(w, perWriter))));
    }
}
