using OrleansCausal.Core;

namespace OrleansCausal.Storage.Postgres;

/// <summary>The writes waiting in the group-commit queue: the store's own puts and the owners' conditional writes.</summary>
public sealed partial class PostgresRecordStore
{
    private abstract class PendingWrite(RecordKey key, CancellationToken cancellationToken)
    {
        public RecordKey Key { get; } = key;

        public CancellationToken CancellationToken { get; } = cancellationToken;

        public abstract bool IsCompleted { get; }

        public abstract void Fail(Exception error);

        public abstract void Cancel();
    }

    private sealed class PendingPut(PutRequest request, CancellationToken cancellationToken) : PendingWrite(request.Key, cancellationToken)
    {
        public PutRequest Request { get; } = request;

        public TaskCompletionSource<StoreWriteResult> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public override bool IsCompleted => Completion.Task.IsCompleted;

        public override void Fail(Exception error) => Completion.TrySetException(error);

        public override void Cancel() => Completion.TrySetCanceled(CancellationToken);
    }

    private sealed class PendingConditionalWrite(RecordWrite write, CancellationToken cancellationToken) : PendingWrite(write.Key, cancellationToken)
    {
        public RecordWrite Write { get; } = write;

        public TaskCompletionSource<RecordWriteResult> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public override bool IsCompleted => Completion.Task.IsCompleted;

        public override void Fail(Exception error) => Completion.TrySetException(error);

        public override void Cancel() => Completion.TrySetCanceled(CancellationToken);
    }

    /// <summary>A write of the batch that will succeed once the batch commits: its new record version, the index of its
    /// last change-feed entry in the transaction (-1: none), and for a put what it computed.</summary>
    private sealed record Applied(PendingWrite Pending, long Version, int FeedIndex, PutOutcome? Outcome);

    private sealed class ComputedBatch
    {
        public PostgresTransactionWrites Writes { get; } = new();

        public List<Applied> Results { get; } = [];

        public List<(PendingWrite Pending, Exception Error)> Failures { get; } = [];

        /// <summary>Computed from cached records, a conditional write found another version than it expects: the cache
        /// may be stale, so only the locked rows can tell whether it really conflicts.</summary>
        public bool NeedsLock { get; set; }

        public long LastSequence { get; set; }
    }
}
