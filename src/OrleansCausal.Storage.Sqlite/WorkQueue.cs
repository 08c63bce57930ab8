namespace OrleansCausal.Storage.Sqlite;

/// <summary>
/// A first-in, first-out queue of work for the store's dedicated threads. Producers (callers on any thread) add
/// without blocking on I/O; consumer threads block in <see cref="TakeBatch"/> until work arrives (a monitor signal,
/// no timer, no polling). Once <see cref="Close"/>d it accepts nothing more, and its consumers still take what was
/// queued before the close, then stop.
/// </summary>
internal sealed class WorkQueue<T>
{
    private readonly Queue<T> _items = new();
    private readonly object _gate = new();
    private int _waiting;
    private bool _closed;

    /// <summary>Queues <paramref name="item"/>; false once the queue is closed (the item was not accepted).</summary>
    public bool TryAdd(T item)
    {
        lock (_gate)
        {
            if (_closed)
            {
                return false;
            }

            _items.Enqueue(item);
            if (_waiting > 0)
            {
                Monitor.Pulse(_gate);
            }

            return true;
        }
    }

    /// <summary>Blocks until something is queued, then moves what is queued at that moment (at most
    /// <paramref name="max"/> items) into <paramref name="into"/>. Returns false when the queue is closed and empty.</summary>
    public bool TakeBatch(List<T> into, int max)
    {
        lock (_gate)
        {
            while (_items.Count == 0)
            {
                if (_closed)
                {
                    return false;
                }

                _waiting++;
                try
                {
                    Monitor.Wait(_gate);
                }
                finally
                {
                    _waiting--;
                }
            }

            while (into.Count < max && _items.TryDequeue(out var item))
            {
                into.Add(item);
            }

            return true;
        }
    }

    /// <summary>Refuses further items and wakes every consumer, which drains what is left and stops.</summary>
    public void Close()
    {
        lock (_gate)
        {
            _closed = true;
            Monitor.PulseAll(_gate);
        }
    }
}
