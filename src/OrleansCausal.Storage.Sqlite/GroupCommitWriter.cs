using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using OrleansCausal.Core;

namespace OrleansCausal.Storage.Sqlite;

/// <summary>
/// The store's one writer: a dedicated background thread that owns the write connection. It blocks until writes are
/// queued, takes what is queued at that moment (up to <see cref="SqliteRecordStoreOptions.MaxBatchSize"/>; it never
/// waits for more, so a lone write commits at once), applies it in one <c>BEGIN IMMEDIATE</c> transaction and commits
/// once (group commit: concurrent writers share one fsync), raises the change notices and completes the callers.
/// Callers' continuations never run on this thread (completions run them asynchronously), so no grain turn or
/// thread-pool thread does synchronous SQLite I/O, and no caller's code delays the next commit.
/// </summary>
internal sealed class GroupCommitWriter
{
    private readonly SqliteRecordStoreOptions _options;
    private readonly ILogger _logger;
    private readonly Action<RecordKey, long> _changed;
    private readonly Func<long> _backgroundCheckpoints;
    private readonly WorkQueue<WriteOperation> _queue = new();
    private readonly TaskCompletionSource _stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _transactions;
    private SqliteConnection? _connection;
    private WriterCommands? _commands;
    private long _caughtUpWith;

    private GroupCommitWriter(SqliteRecordStoreOptions options, ILogger logger, Action<RecordKey, long> changed, Func<long> backgroundCheckpoints)
    {
        _options = options;
        _logger = logger;
        _changed = changed;
        _backgroundCheckpoints = backgroundCheckpoints;
    }

    /// <summary>The writer thread's name: <c>sqlite-writer {path}</c>.</summary>
    public static string ThreadName(string path) => $"sqlite-writer {path}";

    /// <summary>Transactions committed so far (each carries one batch).</summary>
    public long Transactions => Interlocked.Read(ref _transactions);

    /// <summary>
    /// Starts the writer thread, which creates the file's directory, opens the write connection and runs
    /// <paramref name="initialize"/> on it (schema and incarnation) before it takes any write. Completes when the
    /// writer is ready, or fails with what went wrong (the thread has then stopped). <paramref name="backgroundCheckpoints"/>
    /// counts the <see cref="WalCheckpointer"/>'s checkpoints (see <see cref="CatchUpWithCheckpointer"/>).
    /// </summary>
    public static Task<GroupCommitWriter> StartAsync(
        SqliteRecordStoreOptions options, ILogger logger, Action<RecordKey, long> changed, Action<SqliteConnection> initialize, Func<long> backgroundCheckpoints)
    {
        var writer = new GroupCommitWriter(options, logger, changed, backgroundCheckpoints);
        var ready = new TaskCompletionSource<GroupCommitWriter>(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() => writer.Run(initialize, ready))
        {
            IsBackground = true,
            Name = ThreadName(options.Path),
        };
        thread.Start();
        return ready.Task;
    }

    /// <summary>Queues <paramref name="operation"/>; false once the writer is stopping (nothing was accepted).</summary>
    public bool TryEnqueue(WriteOperation operation) => _queue.TryAdd(operation);

    /// <summary>Refuses new writes, commits every write queued before, closes the connection and stops the thread.</summary>
    public Task StopAsync()
    {
        _queue.Close();
        return _stopped.Task;
    }

    private void Run(Action<SqliteConnection> initialize, TaskCompletionSource<GroupCommitWriter> ready)
    {
        try
        {
            try
            {
                var directory = Path.GetDirectoryName(_options.Path);
                if (!string.IsNullOrEmpty(directory))
                {
                    Directory.CreateDirectory(directory);
                }

                _connection = SqliteConnections.Open(_options, create: true);
                initialize(_connection);
                if (_options.CheckpointInterval > TimeSpan.Zero)
                {
                    // WalCheckpointer checkpoints in the background: no commit of this writer runs one.
                    SqliteSchema.Execute(_connection, "PRAGMA wal_autocheckpoint = 0");
                }

                _commands = new WriterCommands(_connection);
            }
            catch (Exception error)
            {
                ready.TrySetException(error);
                return;
            }

            ready.TrySetResult(this);
            var batch = new List<WriteOperation>(Math.Min(_options.MaxBatchSize, 64));
            while (_queue.TakeBatch(batch, _options.MaxBatchSize))
            {
                try
                {
                    ExecuteBatch(batch);
                }
                catch (Exception error)
                {
                    // A fault outside the transaction's own handling must not stop the writer or strand a caller.
                    var wrapped = SqliteErrors.Wrap(_options.Path, "writing", error);
                    foreach (var operation in batch)
                    {
                        operation.Fail(wrapped);
                    }
                }

                batch.Clear();
                CatchUpWithCheckpointer();
            }
        }
        finally
        {
            _queue.Close();
            _commands?.Dispose();
            _connection?.Dispose();
            _stopped.TrySetResult();
        }
    }

    /// <summary>
    /// Lets the WAL start over. The background checkpointer copies frames while this writer keeps appending, so under
    /// continuous writes it never catches up with the last frame, and SQLite reuses the WAL from its start only once
    /// every frame is checkpointed: the WAL then grew without bound (68 MB after 10,000 lone puts), and every commit
    /// extended the file, so its fsync also had to write the file's metadata. After each background checkpoint the
    /// writer, between two batches (no write in flight), checkpoints the few frames appended meanwhile (passive:
    /// it never waits for readers); the next transaction then writes from the WAL's start. Once per
    /// <see cref="SqliteRecordStoreOptions.CheckpointInterval"/> at most, and small, because the background thread
    /// has already copied the rest.
    /// </summary>
    private void CatchUpWithCheckpointer()
    {
        var checkpoints = _backgroundCheckpoints();
        if (checkpoints == _caughtUpWith)
        {
            return;
        }

        _caughtUpWith = checkpoints;
        try
        {
            SqliteSchema.Execute(_connection!, "PRAGMA wal_checkpoint(PASSIVE)");
        }
        catch (SqliteException error)
        {
            Log.LogWarningCheckpointFailed(_logger, _options.Path, error);
        }
    }

    private void ExecuteBatch(List<WriteOperation> batch)
    {
        var pending = new List<WriteOperation>(batch.Count);
        foreach (var operation in batch)
        {
            if (operation.CancellationToken.IsCancellationRequested)
            {
                operation.Cancel();
            }
            else
            {
                pending.Add(operation);
            }
        }

        if (pending.Count == 0)
        {
            return;
        }

        var applied = new List<WriteOperation>(pending.Count);
        try
        {
            _commands!.Begin();
            try
            {
                var state = new WriteBatch(_commands!, _options.Path, _logger);
                foreach (var operation in pending)
                {
                    try
                    {
                        operation.Apply(state);
                        applied.Add(operation);
                    }
                    catch (Exception refused) when (refused is ForgedDotException or RecordVersionConflictException or OperationRefusedException or RecordStoreException { Key: not null })
                    {
                        // This operation alone is refused; it changed nothing, the rest of the batch goes on.
                        operation.Fail(refused is OperationRefusedException own ? own.Reason : refused);
                    }
                }

                state.Flush();
                _commands!.Commit();
                Interlocked.Increment(ref _transactions);
            }
            catch
            {
                SqliteSchema.TryRollback(_connection!);
                throw;
            }
        }
        catch (Exception error)
        {
            Log.LogErrorBatchFailed(_logger, _options.Path, pending.Count, error);
            var wrapped = SqliteErrors.Wrap(_options.Path, "writing", error);
            foreach (var operation in pending)
            {
                operation.Fail(wrapped);
            }

            return;
        }

        // Committed and durable: tell listeners first, so a caller that sees its write acknowledged also finds
        // the event raised, then complete the callers (their continuations run on the thread pool, not here).
        foreach (var operation in applied)
        {
            foreach (var (key, version) in operation.Changes)
            {
                _changed(key, version);
            }
        }

        foreach (var operation in applied)
        {
            operation.Complete();
        }
    }
}
