using OrleansCausal.Runtime.Storage;
using OrleansCausal.Storage;

namespace OrleansCausal.Replication.Collection;

/// <summary>The store's figures plus this silo's last garbage-collection round.</summary>
public sealed class CollectionStorageStatus(IRecordStore store, StorageCollector collector) : IStorageStatus
{
    public async Task<StorageStatus> GetAsync(CancellationToken cancellationToken)
    {
        var figures = await store.GetStorageFiguresAsync(cancellationToken);
        return new StorageStatus(figures.Records, figures.Tombstones, figures.Feed, figures.Bytes, collector.LastRound);
    }
}
