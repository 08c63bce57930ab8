using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using PendingWrite = (string Key, string Value, System.Threading.Tasks.TaskCompletionSource Done);

namespace OrleansCausal.LoadTool;

/// <summary>
/// The tuned baseline: the same routes and durability as <see cref="BareKestrelEndpoint"/> (WAL, synchronous=FULL,
/// its own table <c>raw_kv_group</c> in the same file), but a PUT is queued to ONE writer thread that upserts everything
/// queued in one transaction and completes each request only after that COMMIT. No timer: the writer commits as soon
/// as something is queued and it is idle, so batches grow only while a commit (fsync) is in flight. GETs read directly.
/// </summary>
internal sealed class GroupCommitBareEndpoint : IAsyncDisposable
{
    private const string Table = "raw_kv_group";
    private readonly BlockingCollection<PendingWrite> _queue = new();
    private readonly ConcurrentBag<(SqliteConnection Sqlite, SqliteCommand Select)> _readers = [];
    private readonly string _connectionString;
    private readonly SqliteConnection _writer;
    private readonly Thread _writerThread;
    private WebApplication _app = null!;

    private GroupCommitBareEndpoint(string path)
    {
        _connectionString = new SqliteConnectionStringBuilder { DataSource = path, Pooling = false, DefaultTimeout = 30 }.ToString();
        _writer = Open();
        using var create = _writer.CreateCommand();
        create.CommandText = $"CREATE TABLE IF NOT EXISTS {Table} (key TEXT PRIMARY KEY, value TEXT NOT NULL, written_at INTEGER NOT NULL)";
        create.ExecuteNonQuery();
        _writerThread = new Thread(WriteLoop) { IsBackground = true, Name = "group-commit writer" };
        _writerThread.Start();
    }

    public Uri Address { get; private set; } = null!;

    public static async Task<GroupCommitBareEndpoint> StartAsync(string databasePath)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var endpoint = new GroupCommitBareEndpoint(databasePath) { _app = builder.Build() };
        endpoint._app.MapGet("/raw/{key}", endpoint.GetAsync);
        endpoint._app.MapPut("/raw/{key}", endpoint.PutAsync);
        await endpoint._app.StartAsync();
        endpoint.Address = new Uri(endpoint._app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single());
        return endpoint;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        _queue.CompleteAdding();
        _writerThread.Join();
        _writer.Dispose();
        while (_readers.TryTake(out var reader))
        {
            reader.Select.Dispose();
            reader.Sqlite.Dispose();
        }
    }

    private async Task<IResult> GetAsync(string key, HttpContext http)
    {
        if (!_readers.TryTake(out var reader))
        {
            var sqlite = Open();
            var select = sqlite.CreateCommand();
            select.CommandText = $"SELECT value FROM {Table} WHERE key = $key";
            select.Parameters.Add(new SqliteParameter("$key", SqliteType.Text));
            reader = (sqlite, select);
        }

        try
        {
            reader.Select.Parameters[0].Value = key;
            var value = (string?)await reader.Select.ExecuteScalarAsync(http.RequestAborted);
            return value is null ? Results.NotFound() : Results.Text(value, "application/json");
        }
        finally
        {
            _readers.Add(reader);
        }
    }

    private async Task<IResult> PutAsync(string key, HttpContext http)
    {
        using var reader = new StreamReader(http.Request.Body);
        var body = await reader.ReadToEndAsync(http.RequestAborted);
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _queue.Add((key, body, done));
        await done.Task; // acknowledged only after the batch holding this write has committed
        return Results.Text(body, "application/json");
    }

    private void WriteLoop()
    {
        using var upsert = _writer.CreateCommand();
        upsert.CommandText = $"INSERT INTO {Table} (key, value, written_at) VALUES ($key, $value, $at) " +
                             "ON CONFLICT (key) DO UPDATE SET value = excluded.value, written_at = excluded.written_at";
        upsert.Parameters.Add(new SqliteParameter("$key", SqliteType.Text));
        upsert.Parameters.Add(new SqliteParameter("$value", SqliteType.Text));
        upsert.Parameters.Add(new SqliteParameter("$at", SqliteType.Integer));
        var batch = new List<PendingWrite>();
        foreach (var first in _queue.GetConsumingEnumerable())
        {
            batch.Add(first);
            while (_queue.TryTake(out var next)) // everything queued while the previous commit ran
            {
                batch.Add(next);
            }

            try
            {
                using (var transaction = _writer.BeginTransaction())
                {
                    upsert.Transaction = transaction;
                    var at = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
                    foreach (var (key, value, _) in batch)
                    {
                        upsert.Parameters[0].Value = key;
                        upsert.Parameters[1].Value = value;
                        upsert.Parameters[2].Value = at;
                        upsert.ExecuteNonQuery();
                    }

                    transaction.Commit();
                }

                batch.ForEach(write => write.Done.TrySetResult());
            }
            catch (Exception e)
            {
                batch.ForEach(write => write.Done.TrySetException(e));
            }

            batch.Clear();
        }
    }

    private SqliteConnection Open()
    {
        var sqlite = new SqliteConnection(_connectionString);
        sqlite.Open();
        using var pragmas = sqlite.CreateCommand();
        pragmas.CommandText = "PRAGMA busy_timeout = 30000; PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL";
        pragmas.ExecuteNonQuery();

        return sqlite;
    }
}
