using Npgsql;
using OrleansCausal.Core;
using OrleansCausal.Storage.Postgres;
using OrleansCausal.Tests.Shared;

namespace OrleansCausal.Storage.Tests.Postgres;

/// <summary>Helpers for the PostgreSQL provider's own tests: a fresh database per test, stores on it, cleanup.</summary>
public abstract class PostgresTestBase(PostgresServer server) : IAsyncLifetime
{
    protected static readonly RegionId RegionA = RegionId.Parse("A");
    protected static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private readonly List<PostgresRecordStore> _stores = [];

    protected PostgresServer Server { get; } = server;

    /// <summary>This test's own database.</summary>
    protected string Database { get; private set; } = string.Empty;

    protected static CancellationToken Ct => new CancellationTokenSource(Timeout).Token;

    public async Task InitializeAsync() => Database = await Server.CreateDatabaseAsync(GetType().Name, Ct);

    public async Task DisposeAsync()
    {
        foreach (var store in _stores)
        {
            await store.DisposeAsync();
        }

        await Server.DropDatabaseAsync(Database, CancellationToken.None);
    }

    protected PostgresRecordStore NewStore(string? connectionString = null, RegionId? region = null, Action<PostgresRecordStoreOptions>? configure = null)
    {
        var options = new PostgresRecordStoreOptions { ConnectionString = connectionString ?? Database, Region = region ?? RegionA };
        configure?.Invoke(options);
        var store = new PostgresRecordStore(options);
        _stores.Add(store);
        return store;
    }

    protected async Task<PostgresRecordStore> OpenStoreAsync(string? connectionString = null, RegionId? region = null, Action<PostgresRecordStoreOptions>? configure = null)
    {
        var store = NewStore(connectionString, region, configure);
        await store.OpenAsync(Ct);
        return store;
    }

    protected static RecordKey Key(string key) => new("pg", key);

    protected static Task<StoreWriteResult> PutAsync(IRecordStore store, RecordKey key, string? value, VersionVector? context = null) =>
        store.PutAsync(new PutRequest(key, value, context ?? VersionVector.Empty), Ct);

    /// <summary>Runs SQL on this test's database as the test role (to damage rows, kill connections, …).</summary>
    protected async Task ExecuteAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(Database);
        await connection.OpenAsync(Ct);
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(Ct);
    }

    /// <summary>The first column of every row of <paramref name="sql"/> on this test's database, as text.</summary>
    protected async Task<List<string>> QueryAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(Database);
        await connection.OpenAsync(Ct);
        await using var command = new NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync(Ct);
        var rows = new List<string>();
        while (await reader.ReadAsync(Ct))
        {
            rows.Add(reader.GetString(0));
        }

        return rows;
    }
}
