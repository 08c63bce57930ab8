namespace OrleansCausal.Replication.Outbound;

/// <summary>
/// Ensures that, normally, one silo of a region ships to a given peer at a time. It is an efficiency measure,
/// not a safety one: two shippers at once only send duplicates, which the receiver's gap detection and idempotent
/// merge absorb.
/// </summary>
public interface IShippingLease
{
    /// <summary>Acquires or renews the lease for <paramref name="peer"/>; false when another silo holds it.</summary>
    Task<bool> TryAcquireAsync(string peer, CancellationToken cancellationToken);

    /// <summary>Gives the lease up (on orderly shutdown) so another silo can take over at once.</summary>
    Task ReleaseAsync(string peer, CancellationToken cancellationToken);
}
