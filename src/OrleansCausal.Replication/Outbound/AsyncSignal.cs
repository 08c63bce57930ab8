namespace OrleansCausal.Replication.Outbound;

/// <summary>An auto-reset wake-up: <see cref="Set"/> from any thread (e.g. a store event), one waiter consumes it.
/// Signals that arrive while nobody waits are remembered (once), so a commit is never missed.</summary>
public sealed class AsyncSignal
{
    private readonly SemaphoreSlim _semaphore = new(0, 1);

    public void Set()
    {
        try
        {
            _semaphore.Release();
        }
        catch (SemaphoreFullException)
        {
            // Already signalled.
        }
    }

    /// <summary>True when signalled, false when <paramref name="timeout"/> passed first.</summary>
    public Task<bool> WaitAsync(TimeSpan timeout, CancellationToken cancellationToken) =>
        _semaphore.WaitAsync(timeout, cancellationToken);
}
