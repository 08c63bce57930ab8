using OrleansCausal.Storage;

namespace OrleansCausal.Replication.Inbound;

/// <summary>
/// One source region as this silo's receiver sees it: the gate that applies its batches one at a time, and how far its
/// feed is known to be applied here. What is known is a lower bound of the durable position — the value this silo last
/// read from the store or last committed with a merge — because the durable position only ever grows (stores never
/// lower it, <see cref="ICheckpointStore.GetInboundPositionAsync"/>), whoever saves it: this silo, another silo of the
/// region, or this silo before a restart (which starts knowing nothing). So a batch that starts at or before it is
/// applied without reading the store, and only a batch that seems to start past it reads the store, which decides.
/// Every member is used under the gate (<see cref="EnterAsync"/>) except <see cref="Advanced"/>'s task, which is awaited
/// outside it.
/// </summary>
internal sealed class InboundSource(string source)
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private long? _known;
    private TaskCompletionSource _advanced = NewSignal();

    /// <summary>Completes the next time the known position grows (read under the gate, awaited after leaving it).</summary>
    public Task Advanced => _advanced.Task;

    public Task EnterAsync(CancellationToken cancellationToken) => _gate.WaitAsync(cancellationToken);

    public void Leave() => _gate.Release();

    /// <summary>How far the source is applied: the known position when <paramref name="after"/> does not pass it,
    /// otherwise (and always when <paramref name="fromStore"/>) the durable one, read from the store.</summary>
    public async Task<long> AppliedAsync(IRecordStore store, long after, bool fromStore, CancellationToken cancellationToken)
    {
        if (fromStore || _known is not { } known || after > known)
        {
            Learn(await store.GetInboundPositionAsync(source, cancellationToken));
        }

        return _known!.Value;
    }

    /// <summary>A merge that saved the position <paramref name="appliedThrough"/> committed.</summary>
    public void Committed(long appliedThrough) => Learn(Math.Max(_known ?? 0, appliedThrough));

    private void Learn(long position)
    {
        var grew = position > (_known ?? 0);
        _known = position;
        if (grew)
        {
            Interlocked.Exchange(ref _advanced, NewSignal()).TrySetResult();
        }
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
