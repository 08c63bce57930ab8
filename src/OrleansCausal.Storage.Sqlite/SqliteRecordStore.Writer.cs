using OrleansCausal.Core;

namespace OrleansCausal.Storage.Sqlite;

public sealed partial class SqliteRecordStore
{
    /// <summary>Transactions the writer has committed (tests check that concurrent writes share them).</summary>
    internal long CommittedTransactions => _writer?.Transactions ?? 0;

    /// <summary>Background WAL checkpoints made so far (0 when <see cref="SqliteRecordStoreOptions.CheckpointInterval"/> is zero).</summary>
    internal long BackgroundCheckpoints => _checkpointer?.Checkpoints ?? 0;

    private T Enqueue<T>(T operation)
        where T : WriteOperation
    {
        operation.CancellationToken.ThrowIfCancellationRequested();
        var writer = _writer ?? throw new InvalidOperationException($"Call {nameof(OpenAsync)} before using the store.");
        if (_closed || !writer.TryEnqueue(operation))
        {
            // Closed while this write was being queued: it was never accepted.
            throw Closed();
        }

        return operation;
    }

    /// <summary>The replica for a new write: a closed store refuses it as closed, not as never opened.</summary>
    private ReplicaId WriterReplica => _closed ? throw Closed() : Replica;

    private ObjectDisposedException Closed() => new(nameof(SqliteRecordStore), $"The store {Description} is closed.");

    /// <summary>Runs on the writer thread, after the commit and before the callers complete.</summary>
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
