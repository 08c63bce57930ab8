namespace OrleansCausal.Gateway.BackPressure;

/// <summary>Counts the writes in flight in this silo's gateway and refuses one past <c>Gateway:MaxPendingWrites</c>.</summary>
public sealed class WriteAdmission(GatewayOptions options)
{
    private int _pending;

    public int MaxPendingWrites => options.MaxPendingWrites;

    /// <summary>Writes admitted and not finished.</summary>
    public int Pending => Volatile.Read(ref _pending);

    /// <summary>Admits a write (call <see cref="Exit"/> when it is done), or refuses it when the bound is reached.</summary>
    public bool TryEnter()
    {
        if (Interlocked.Increment(ref _pending) <= options.MaxPendingWrites)
        {
            return true;
        }

        Interlocked.Decrement(ref _pending);
        return false;
    }

    public void Exit() => Interlocked.Decrement(ref _pending);
}
