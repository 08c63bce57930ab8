namespace OrleansCausal.Storage.Sqlite;

/// <summary>A read waiting for a reader thread.</summary>
internal abstract class ReadOperation
{
    /// <summary>Runs the read on the calling reader thread, unless it was cancelled while queued.</summary>
    public abstract void Run(ReadConnection connection);
}

/// <summary>
/// A read and its caller's completion (continuations run asynchronously, never on the reader thread). Cancelling
/// its token while it is still queued cancels it at once; once a reader thread has started it, it runs to the end.
/// </summary>
internal sealed class ReadOperation<T> : ReadOperation
{
    private const int Queued = 0;
    private const int Started = 1;
    private const int Cancelled = 2;

    private readonly TaskCompletionSource<T> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Func<ReadConnection, T> _read;
    private readonly CancellationToken _cancellationToken;
    private readonly CancellationTokenRegistration _registration;
    private int _state;

    public ReadOperation(Func<ReadConnection, T> read, CancellationToken cancellationToken)
    {
        _read = read;
        _cancellationToken = cancellationToken;
        _registration = cancellationToken.UnsafeRegister(static state => ((ReadOperation<T>)state!).CancelIfQueued(), this);
    }

    public Task<T> Task => _completion.Task;

    public override void Run(ReadConnection connection)
    {
        if (Interlocked.CompareExchange(ref _state, Started, Queued) != Queued)
        {
            return;
        }

        _registration.Dispose();
        try
        {
            _completion.TrySetResult(_read(connection));
        }
        catch (Exception error)
        {
            _completion.TrySetException(error);
        }
    }

    private void CancelIfQueued()
    {
        if (Interlocked.CompareExchange(ref _state, Cancelled, Queued) == Queued)
        {
            _completion.TrySetCanceled(_cancellationToken);
        }
    }
}
