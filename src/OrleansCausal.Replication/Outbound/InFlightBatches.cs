namespace OrleansCausal.Replication.Outbound;

/// <summary>
/// The batches sent to one peer and not yet answered, oldest first (at most
/// <see cref="Hosting.ReplicationOptions.MaxBatchesInFlight"/>). They are consecutive ranges of the change feed, the
/// first starting at the peer's checkpoint; their answers are taken in the order they were sent, so the checkpoint
/// still only moves forward through what the peer acknowledged, batch by batch.
/// </summary>
public sealed class InFlightBatches(int capacity)
{
    private readonly Queue<SentBatch> _sent = new();
    private long _lastThrough;

    public int Count => _sent.Count;

    public bool HasRoom => _sent.Count < capacity;

    /// <summary>Where the next batch starts: after the last batch in flight, or after <paramref name="checkpoint"/>
    /// when none is.</summary>
    public long NextAfter(long checkpoint) => _sent.Count == 0 ? checkpoint : _lastThrough;

    public void Add(SentBatch batch)
    {
        _sent.Enqueue(batch);
        _lastThrough = batch.Through;
    }

    public SentBatch TakeOldest() => _sent.Dequeue();

    /// <summary>Drops every batch still in flight, once its answer (or failure) is in: after a failure, or when
    /// stopping, those answers no longer count (a batch the peer applied meanwhile is sent again and merged again,
    /// idempotently).</summary>
    public async Task AbandonAsync()
    {
        while (_sent.TryDequeue(out var batch))
        {
            try
            {
                await batch.Outcome;
            }
            catch (Exception)
            {
                // Cancelled (stopping) or failed: dropped either way.
            }
        }
    }
}

/// <summary>A batch on its way to a peer: the feed range (<paramref name="After"/>, <paramref name="Through"/>], how many
/// bins it holds, the acceptance time of its oldest bin (for the lag metric), whether the peer had acknowledged through
/// <paramref name="After"/> when it was sent (if not, a gap it is refused with may be stale), and the answer to come.</summary>
public sealed record SentBatch(long After, long Through, int Bins, DateTimeOffset OldestWrittenAt, bool PredecessorAcknowledged, Task<ShipOutcome> Outcome);
