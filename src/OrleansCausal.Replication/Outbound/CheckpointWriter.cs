using OrleansCausal.Storage;

namespace OrleansCausal.Replication.Outbound;

/// <summary>
/// The checkpoint of one peer (<c>peer:{Region}</c>: the highest sequence it acknowledged). An acknowledgement moves
/// it at once in memory and starts its durable save without waiting (the next batch ships meanwhile). Saves run one
/// at a time and in order, so the durable checkpoint only ever lags the acknowledged one (a crash then re-sends a few
/// batches, which the peer merges idempotently). A failed save is superseded by the next one.
/// </summary>
public sealed class CheckpointWriter(IRecordStore store, string name)
{
    private long _acknowledged;
    private Task _save = Task.CompletedTask;

    /// <summary>The highest sequence the peer acknowledged, as known here.</summary>
    public long Acknowledged => Interlocked.Read(ref _acknowledged);

    public async Task LoadAsync(CancellationToken cancellationToken) =>
        Interlocked.Exchange(ref _acknowledged, await store.GetCheckpointAsync(name, cancellationToken));

    /// <summary>The peer acknowledged through <paramref name="through"/>: saved behind the previous save.</summary>
    public void Advance(long through, CancellationToken cancellationToken)
    {
        Interlocked.Exchange(ref _acknowledged, through);
        _save = SaveAfterAsync(_save, through, cancellationToken);
    }

    /// <summary>Moves the checkpoint back (or anywhere) to what the peer says it holds, durably, after any save
    /// still running (which would otherwise undo it).</summary>
    public async Task RewindAsync(long to, CancellationToken cancellationToken)
    {
        await AwaitQuietlyAsync(_save);
        await store.SaveCheckpointAsync(name, to, cancellationToken);
        Interlocked.Exchange(ref _acknowledged, to);
    }

    /// <summary>Waits for the outstanding save and makes sure the acknowledged checkpoint is durable.</summary>
    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        await AwaitQuietlyAsync(_save);
        var acknowledged = Acknowledged;
        if (await store.GetCheckpointAsync(name, cancellationToken) < acknowledged)
        {
            await store.SaveCheckpointAsync(name, acknowledged, cancellationToken);
        }
    }

    private async Task SaveAfterAsync(Task previous, long through, CancellationToken cancellationToken)
    {
        await AwaitQuietlyAsync(previous);
        await store.SaveCheckpointAsync(name, through, cancellationToken);
    }

    /// <summary>A failed save is superseded by the save that follows (a higher or the rewound value), so it must not
    /// poison every later one; a broken store shows at the next read.</summary>
    private static async Task AwaitQuietlyAsync(Task save)
    {
        try
        {
            await save;
        }
        catch (Exception)
        {
            // Superseded by the next save, or stopping (the flush saves the acknowledged value).
        }
    }
}
