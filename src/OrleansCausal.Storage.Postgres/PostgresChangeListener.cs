using Microsoft.Extensions.Logging;
using Npgsql;

namespace OrleansCausal.Storage.Postgres;

/// <summary>
/// LISTENs on a dedicated connection for the change notifications every committed write sends, and reports the
/// records changed by other store instances (other silos) — our own notifications are recognised by the instance id
/// in the payload and ignored. When the connection is lost it reconnects with a growing delay (capped by
/// <see cref="PostgresRecordStoreOptions.ListenReconnectMaxDelay"/>); notifications sent while it was away are lost,
/// which only delays a cache refresh: correctness never depends on the caches.
/// </summary>
internal sealed class PostgresChangeListener : IAsyncDisposable
{
    private readonly PostgresRecordStoreOptions _options;
    private readonly PostgresSql _sql;
    private readonly Guid _instanceId;
    private readonly string _description;
    private readonly ILogger _logger;
    private readonly Action<RecordKey, long> _onRemoteChange;
    private readonly CancellationTokenSource _stopping = new();
    private readonly TaskCompletionSource _firstListen = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly string _connectionString;
    private TaskCompletionSource _nextListen = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task _loop = Task.CompletedTask;

    public PostgresChangeListener(PostgresRecordStoreOptions options, PostgresSql sql, Guid instanceId, string description, ILogger logger, Action<RecordKey, long> onRemoteChange)
    {
        _options = options;
        _sql = sql;
        _instanceId = instanceId;
        _description = description;
        _logger = logger;
        _onRemoteChange = onRemoteChange;
        var builder = new NpgsqlConnectionStringBuilder(options.ConnectionString)
        {
            Pooling = false,
            ApplicationName = "orleanscausal-listener",
            // Keepalives make a silently dead connection fail WaitAsync, so the loop reconnects.
            KeepAlive = 10,
        };
        _connectionString = builder.ConnectionString;
    }

    /// <summary>How many times the listener has (re)established its LISTEN. For tests.</summary>
    public int Generation { get; private set; }

    /// <summary>Starts listening; returns once the first LISTEN is in place, or throws when it cannot be.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        _loop = Task.Run(RunAsync, CancellationToken.None);
        await _firstListen.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Completes when the LISTEN has been re-established after the current one. For tests.</summary>
    public Task WhenRelistenedAsync() => Volatile.Read(ref _nextListen).Task;

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        try
        {
            await _loop.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        _stopping.Dispose();
    }

    private async Task RunAsync()
    {
        var delay = TimeSpan.FromMilliseconds(100);
        while (!_stopping.IsCancellationRequested)
        {
            try
            {
                await using var connection = new NpgsqlConnection(_connectionString);
                await connection.OpenAsync(_stopping.Token).ConfigureAwait(false);
                connection.Notification += OnNotification;
                await using (var listen = new NpgsqlCommand($"LISTEN \"{_sql.Channel}\"", connection))
                {
                    await listen.ExecuteNonQueryAsync(_stopping.Token).ConfigureAwait(false);
                }

                Generation++;
                _logger.LogInformationListening(_description, _sql.Channel);
                delay = TimeSpan.FromMilliseconds(100);
                _firstListen.TrySetResult();
                Interlocked.Exchange(ref _nextListen, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
                while (true)
                {
                    await connection.WaitAsync(_stopping.Token).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
            {
                _firstListen.TrySetCanceled();
                return;
            }
            catch (Exception e)
            {
                if (!_firstListen.Task.IsCompleted)
                {
                    _firstListen.TrySetException(e);
                    return;
                }

                _logger.LogWarningListenLost(e, _description, (long)delay.TotalMilliseconds);
                try
                {
                    await Task.Delay(delay, _stopping.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, _options.ListenReconnectMaxDelay.Ticks));
            }
        }
    }

    private void OnNotification(object sender, NpgsqlNotificationEventArgs e)
    {
        if (e.Channel != _sql.Channel)
        {
            return;
        }

        List<(Guid Source, RecordKey Key, long Version)> changes;
        try
        {
            changes = PostgresNotification.DecodeAll(e.Payload);
        }
        catch (Exception error) when (error is FormatException or System.Text.Json.JsonException or KeyNotFoundException or InvalidOperationException)
        {
            _logger.LogWarningBadNotification(error, _sql.Channel);
            return;
        }

        foreach (var (source, key, version) in changes)
        {
            if (source != _instanceId)
            {
                _onRemoteChange(key, version);
            }
        }
    }
}
