using OrleansCausal.Storage;

namespace OrleansCausal.Runtime.Storage;

/// <summary>The store's figures, with no garbage-collection round.</summary>
public sealed class StoreFiguresStatus(IRecordStore store) : IStorageStatus
{
    public async Task<StorageStatus> GetAsync(CancellationToken cancellationToken)
    {
        var figures = await store.GetStorageFiguresAsync(cancellationToken);
        return new StorageStatus(figures.Records, figures.Tombstones, figures.Feed, figures.Bytes, LastCollection: null);
    }
}
