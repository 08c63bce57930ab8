using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace OrleansCausal.Storage.Sqlite;

/// <summary>
/// Keeps WAL checkpoints off the commit path. By default SQLite checkpoints inside the commit that grows the WAL past
/// 1,000 pages: that commit, and every write queued behind it, waits while pages are copied into the database file and
/// the file is fsynced. Here the writer's automatic checkpoint is off and this thread, with its own connection, runs a
/// <c>PASSIVE</c> checkpoint every <see cref="SqliteRecordStoreOptions.CheckpointInterval"/> when something was
/// committed since the last one. A passive checkpoint takes no lock a writer or reader waits for; durability does not
/// depend on it (a commit is durable once its WAL frames are fsynced, synchronous=FULL). Closing the last connection
/// checkpoints what is left, as before.
/// </summary>
internal sealed class WalCheckpointer
{
    private readonly SqliteRecordStoreOptions _options;
    private readonly ILogger _logger;
    private readonly Func<long> _committedTransactions;
    private readonly ManualResetEventSlim _stopping = new();
    private readonly TaskCompletionSource _stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _checkpoints;

    private WalCheckpointer(SqliteRecordStoreOptions options, ILogger logger, Func<long> committedTransactions)
    {
        _options = options;
        _logger = logger;
        _committedTransactions = committedTransactions;
    }

    /// <summary>Checkpoints made so far (tests check the thread runs).</summary>
    public long Checkpoints => Interlocked.Read(ref _checkpoints);

    public static WalCheckpointer Start(SqliteRecordStoreOptions options, ILogger logger, Func<long> committedTransactions)
    {
        var checkpointer = new WalCheckpointer(options, logger, committedTransactions);
        new Thread(checkpointer.Run) { IsBackground = true, Name = $"sqlite-checkpointer {options.Path}" }.Start();
        return checkpointer;
    }

    public Task StopAsync()
    {
        _stopping.Set();
        return _stopped.Task;
    }

    private void Run()
    {
        SqliteConnection? connection = null;
        try
        {
            var checkpointedAt = 0L;
            while (!_stopping.Wait(_options.CheckpointInterval))
            {
                var committed = _committedTransactions();
                if (committed == checkpointedAt)
                {
                    continue;
                }

                try
                {
                    connection ??= SqliteConnections.Open(_options, create: false);
                    SqliteSchema.Execute(connection, "PRAGMA wal_checkpoint(PASSIVE)");
                    checkpointedAt = committed;
                    Interlocked.Increment(ref _checkpoints);
                }
                catch (SqliteException error)
                {
                    Log.LogWarningCheckpointFailed(_logger, _options.Path, error);
                    connection?.Dispose();
                    connection = null;
                }
            }
        }
        finally
        {
            connection?.Dispose();
            _stopped.TrySetResult();
        }
    }
}
