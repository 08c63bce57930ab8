namespace OrleansCausal.Storage;

/// <summary>The dot floor as one store instance knows it (<see cref="IStoreMaintenance.DotFloor"/>): it only grows —
/// when a purge commits here, or when a write transaction reads a higher durable value (another silo or process
/// purged). Thread-safe.</summary>
public sealed class DotFloorCell
{
    private long _value;

    public ulong Value => (ulong)Volatile.Read(ref _value);

    public void Raise(ulong floor)
    {
        var current = Volatile.Read(ref _value);
        while ((ulong)current < floor)
        {
            var seen = Interlocked.CompareExchange(ref _value, (long)floor, current);
            if (seen == current)
            {
                return;
            }

            current = seen;
        }
    }
}
