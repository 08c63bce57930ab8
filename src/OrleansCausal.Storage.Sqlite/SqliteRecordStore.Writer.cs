namespace OrleansCausal.Storage.Sqlite;

public sealed partial class SqliteRecordStore
{
    /// <summary>
    /// Group commit by the callers themselves: whoever finds the writer free becomes the writer, takes what is
    /// queued right now (never waits for more, so a lone write commits at once on its caller's thread, without a
    /// thread hop), commits it as one transaction and completes every caller in it. A caller that finds the writer
    /// busy leaves its operation queued: the writer re-checks the queue after it lets go. A caller whose own write
    /// is done hands any backlog to a thread-pool writer instead of working on for others.
    /// </summary>
    private void Pump(WriteOperation? mine)
    {
        while (true)
        {
            if (!_writerGate.Wait(0))
            {
                return;
            }

            try
            {
                while (!_queue.IsEmpty && (mine is null || !mine.IsDone))
                {
                    var batch = TakeBatch();
                    if (_open)
                    {
                        ExecuteBatch(batch);
                        continue;
                    }

                    // Closed while these writes were being queued: they were never accepted.
                    foreach (var late in batch)
                    {
                        late.Fail(new ObjectDisposedException(nameof(SqliteRecordStore), $"The store {Description} is closed."));
                    }
                }
            }
            finally
            {
                _writerGate.Release();
            }

            if (_queue.IsEmpty)
            {
                return;
            }

            if (mine is not null && mine.IsDone)
            {
                ThreadPool.UnsafeQueueUserWorkItem(static store => store.Pump(null), this, preferLocal: false);
                return;
            }
        }
    }

    private void DrainQueue()
    {
        while (!_queue.IsEmpty)
        {
            ExecuteBatch(TakeBatch());
        }
    }

    private List<WriteOperation> TakeBatch()
    {
        var batch = new List<WriteOperation>(Math.Min(_options.MaxBatchSize, 64));
        while (batch.Count < _options.MaxBatchSize && _queue.TryDequeue(out var operation))
        {
            batch.Add(operation);
        }

        return batch;
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
            SqliteSchema.Execute(_writer!, "BEGIN IMMEDIATE");
            try
            {
                var state = new WriteBatch(_commands!, _path, _logger);
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
                SqliteSchema.Execute(_writer!, "COMMIT");
            }
            catch
            {
                SqliteSchema.TryRollback(_writer!);
                throw;
            }
        }
        catch (Exception error)
        {
            Log.LogErrorBatchFailed(_logger, _path, pending.Count, error);
            var wrapped = SqliteErrors.Wrap(_path, "writing", error);
            foreach (var operation in pending)
            {
                operation.Fail(wrapped);
            }

            return;
        }

        // Committed and durable: tell listeners first, so a caller that sees its write acknowledged also finds
        // the event raised, then complete the callers.
        foreach (var operation in applied)
        {
            foreach (var (key, version) in operation.Changes)
            {
                RaiseRecordChanged(key, version);
            }
        }

        foreach (var operation in applied)
        {
            operation.Complete();
        }
    }

    private void RaiseRecordChanged(RecordKey key, long version)
    {
        var handler = RecordChanged;
        if (handler is null)
        {
            return;
        }

        try
        {
            handler(this, new RecordChangedEventArgs(key, isLocal: true, version));
        }
        catch (Exception error)
        {
            Log.LogWarningHandlerFailed(_logger, _path, key.ToString(), error);
        }
    }
}
