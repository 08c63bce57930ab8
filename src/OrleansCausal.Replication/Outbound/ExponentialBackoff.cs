namespace OrleansCausal.Replication.Outbound;

/// <summary>Exponential backoff with "equal jitter": half the capped exponential delay, plus a random half.
/// Jitter spreads the retries of many silos after a shared outage.</summary>
public sealed class ExponentialBackoff(TimeSpan initial, TimeSpan max)
{
    private int _attempt;

    public int Attempt => _attempt;

    public TimeSpan Next()
    {
        var exponent = Math.Min(_attempt++, 30);
        var capped = Math.Min(max.TotalMilliseconds, initial.TotalMilliseconds * Math.Pow(2, exponent));
        return TimeSpan.FromMilliseconds((capped / 2) + (Random.Shared.NextDouble() * capped / 2));
    }

    public void Reset() => _attempt = 0;
}
