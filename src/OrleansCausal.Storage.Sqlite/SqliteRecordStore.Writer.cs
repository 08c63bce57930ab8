namespace OrleansCausal.Storage.Sqlite;

public sealed partial class SqliteRecordStore
{
    /// <summary>
    /// The single writer: waits for work, takes what is queued right now (never waits for more, so a lone write
    /// is not delayed), applies it in one transaction and commits once.
    /// </summary>
    private async Task RunWriterAsync()
    {
        var reader = _queue.Reader;
        var batch = new List<WriteOperation>(_options.MaxBatchSize);
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            while (batch.Count < _options.MaxBatchSize && reader.TryRead(out var operation))
            {
                batch.Add(operation);
            }

            ExecuteBatch(batch);
            batch.Clear();
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
                    catch (Exception refused) when (refused is ForgedDotException or RecordStoreException { Key: not null })
                    {
                        // This operation alone is refused; it changed nothing, the rest of the batch goes on.
                        operation.Fail(refused);
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
            foreach (var key in operation.ChangedKeys)
            {
                RaiseRecordChanged(key);
            }
        }

        foreach (var operation in applied)
        {
            operation.Complete();
        }
    }

    private void RaiseRecordChanged(RecordKey key)
    {
        var handler = RecordChanged;
        if (handler is null)
        {
            return;
        }

        try
        {
            handler(this, new RecordChangedEventArgs(key, isLocal: true));
        }
        catch (Exception error)
        {
            Log.LogWarningHandlerFailed(_logger, _path, key.ToString(), error);
        }
    }
}
