using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace OrleansCausal.LoadTool;

/// <summary>
/// The baseline: a bare Kestrel app (no gateway, no actors, no causality) that does a raw last-write-wins upsert into
/// a table of the same SQLite file the silo uses, through the same driver with the same durability (WAL,
/// synchronous=FULL, one autocommit statement per write). <c>GET /raw/{key}</c> reads the value, <c>PUT /raw/{key}</c>
/// upserts the body.
/// </summary>
internal sealed class BareKestrelEndpoint : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentBag<Connection> _pool = [];
    private readonly string _connectionString;

    private BareKestrelEndpoint(WebApplication app, string path)
    {
        _app = app;
        _connectionString = new SqliteConnectionStringBuilder { DataSource = path, Pooling = false, DefaultTimeout = 30 }.ToString();
    }

    public Uri Address { get; private set; } = null!;

    public static async Task<BareKestrelEndpoint> StartAsync(string databasePath)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var endpoint = new BareKestrelEndpoint(app, databasePath);
        endpoint.CreateTable();
        app.MapGet("/raw/{key}", endpoint.GetAsync);
        app.MapPut("/raw/{key}", endpoint.PutAsync);
        await app.StartAsync();
        endpoint.Address = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single());
        return endpoint;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        while (_pool.TryTake(out var connection))
        {
            connection.Dispose();
        }
    }

    private void CreateTable()
    {
        var connection = Open();
        using var create = connection.Sqlite.CreateCommand();
        create.CommandText = "CREATE TABLE IF NOT EXISTS raw_kv (key TEXT PRIMARY KEY, value TEXT NOT NULL, written_at INTEGER NOT NULL)";
        create.ExecuteNonQuery();
        _pool.Add(connection);
    }

    private async Task<IResult> GetAsync(string key, HttpContext http)
    {
        var connection = Rent();
        try
        {
            connection.Select.Parameters[0].Value = key;
            var value = (string?)await connection.Select.ExecuteScalarAsync(http.RequestAborted);
            return value is null ? Results.NotFound() : Results.Text(value, "application/json");
        }
        finally
        {
            _pool.Add(connection);
        }
    }

    private async Task<IResult> PutAsync(string key, HttpContext http)
    {
        using var reader = new StreamReader(http.Request.Body);
        var body = await reader.ReadToEndAsync(http.RequestAborted);
        var connection = Rent();
        try
        {
            connection.Upsert.Parameters[0].Value = key;
            connection.Upsert.Parameters[1].Value = body;
            connection.Upsert.Parameters[2].Value = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            await connection.Upsert.ExecuteNonQueryAsync(http.RequestAborted);
            return Results.Text(body, "application/json");
        }
        finally
        {
            _pool.Add(connection);
        }
    }

    private Connection Rent() => _pool.TryTake(out var connection) ? connection : Open();

    private Connection Open()
    {
        var sqlite = new SqliteConnection(_connectionString);
        sqlite.Open();
        foreach (var pragma in new[] { "PRAGMA busy_timeout = 30000", "PRAGMA journal_mode = WAL", "PRAGMA synchronous = FULL" })
        {
            using var command = sqlite.CreateCommand();
            command.CommandText = pragma;
            command.ExecuteNonQuery();
        }

        var select = sqlite.CreateCommand();
        select.CommandText = "SELECT value FROM raw_kv WHERE key = $key";
        select.Parameters.Add(new SqliteParameter("$key", SqliteType.Text));
        var upsert = sqlite.CreateCommand();
        upsert.CommandText = "INSERT INTO raw_kv (key, value, written_at) VALUES ($key, $value, $at) " +
                             "ON CONFLICT (key) DO UPDATE SET value = excluded.value, written_at = excluded.written_at";
        upsert.Parameters.Add(new SqliteParameter("$key", SqliteType.Text));
        upsert.Parameters.Add(new SqliteParameter("$value", SqliteType.Text));
        upsert.Parameters.Add(new SqliteParameter("$at", SqliteType.Integer));
        return new Connection(sqlite, select, upsert);
    }

    private sealed record Connection(SqliteConnection Sqlite, SqliteCommand Select, SqliteCommand Upsert) : IDisposable
    {
        public void Dispose()
        {
            Select.Dispose();
            Upsert.Dispose();
            Sqlite.Dispose();
        }
    }
}
