using OrleansCausal.Runtime.Storage;

namespace OrleansCausal.Replication.Collection;

/// <summary>The store's figures plus this silo's last garbage-collection round. The figures are counted at most every
/// <see cref="StorageFiguresCache.MaxAge"/>, and never before the round they are shown with.</summary>
public sealed class CollectionStorageStatus(StorageFiguresCache figures, StorageCollector collector) : IStorageStatus
{
    public async Task<StorageStatus> GetAsync(CancellationToken cancellationToken)
    {
        var round = collector.LastRound;
        var counted = await figures.GetAsync(round?.At, cancellationToken);
        var f = counted.Figures;
        return new StorageStatus(f.Records, f.Tombstones, f.Feed, f.Bytes, counted.At, round);
    }
}
