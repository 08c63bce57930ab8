using OrleansCausal.Storage;

namespace OrleansCausal.Replication.Outbound;

/// <summary>
/// A shipping lease kept in the store's checkpoints (so it works on every provider, SQLite and PostgreSQL alike),
/// under <c>lease:peer:{Region}</c>, as one number: <c>expiryUnixMs &lt;&lt; 22 | owner</c> (owner: a random
/// 22-bit token of this silo process). The checkpoint API has no compare-and-swap, so acquisition follows
/// Fischer's timed mutual exclusion: when the lease is free or expired, write our claim, wait a settle delay longer
/// than a checkpoint write takes, and read it back — the lease is ours only if our claim survived. A held lease is
/// renewed without the delay. If timing assumptions are ever violated two silos ship at once, which is harmless
/// (see <see cref="IShippingLease"/>). A crashed holder's lease lapses after the lease duration.
/// </summary>
public sealed class CheckpointShippingLease(IRecordStore store, TimeProvider time, TimeSpan duration, TimeSpan settleDelay) : IShippingLease
{
    private const int OwnerBits = 22;
    private const long OwnerMask = (1L << OwnerBits) - 1;

    private readonly long _owner = Random.Shared.NextInt64(1, OwnerMask + 1);

    public static string CheckpointName(string peer) => $"lease:peer:{peer}";

    public async Task<bool> TryAcquireAsync(string peer, CancellationToken cancellationToken)
    {
        var name = CheckpointName(peer);
        var (expiry, owner) = Decode(await store.GetCheckpointAsync(name, cancellationToken));
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        if (owner == _owner && expiry > now)
        {
            await store.SaveCheckpointAsync(name, Encode(now + (long)duration.TotalMilliseconds), cancellationToken);
            return true;
        }

        if (owner != 0 && expiry > now)
        {
            return false;
        }

        await store.SaveCheckpointAsync(name, Encode(now + (long)duration.TotalMilliseconds), cancellationToken);
        await Task.Delay(settleDelay, time, cancellationToken);
        var (_, winner) = Decode(await store.GetCheckpointAsync(name, cancellationToken));
        return winner == _owner;
    }

    public async Task ReleaseAsync(string peer, CancellationToken cancellationToken)
    {
        var name = CheckpointName(peer);
        var (_, owner) = Decode(await store.GetCheckpointAsync(name, cancellationToken));
        if (owner == _owner)
        {
            await store.SaveCheckpointAsync(name, 0, cancellationToken);
        }
    }

    private long Encode(long expiryUnixMs) => (expiryUnixMs << OwnerBits) | _owner;

    private static (long ExpiryUnixMs, long Owner) Decode(long value) => (value >> OwnerBits, value & OwnerMask);
}
