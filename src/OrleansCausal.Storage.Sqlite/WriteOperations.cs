using OrleansCausal.Core;

namespace OrleansCausal.Storage.Sqlite;

/// <summary>A write waiting for the writer. <see cref="Apply"/> runs inside the batch transaction; it throws
/// before changing anything when the operation itself is refused (forged or reissued dot, version conflict, corrupt
/// record), and the rest of the batch goes on.</summary>
internal abstract class WriteOperation(CancellationToken cancellationToken)
{
    public CancellationToken CancellationToken { get; } = cancellationToken;

    /// <summary>Records this operation changed, with their new versions, known after <see cref="Apply"/>; raised
    /// after commit.</summary>
    public List<(RecordKey Key, long Version)> Changes { get; } = [];

    public abstract void Apply(WriteBatch batch);

    public abstract void Complete();

    public abstract void Fail(Exception error);

    public abstract void Cancel();
}

internal abstract class WriteOperation<TResult>(CancellationToken cancellationToken) : WriteOperation(cancellationToken)
{
    private readonly TaskCompletionSource<TResult> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private TResult? _result;

    public Task<TResult> Task => _completion.Task;

    public override void Apply(WriteBatch batch) => _result = Execute(batch);

    public override void Complete() => _completion.TrySetResult(_result!);

    public override void Fail(Exception error) => _completion.TrySetException(error);

    public override void Cancel() => _completion.TrySetCanceled(CancellationToken);

    protected abstract TResult Execute(WriteBatch batch);
}
