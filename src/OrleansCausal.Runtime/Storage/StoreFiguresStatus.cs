namespace OrleansCausal.Runtime.Storage;

/// <summary>The store's figures (counted at most every <see cref="StorageFiguresCache.MaxAge"/>), with no
/// garbage-collection round.</summary>
public sealed class StoreFiguresStatus(StorageFiguresCache figures) : IStorageStatus
{
    public async Task<StorageStatus> GetAsync(CancellationToken cancellationToken)
    {
        var counted = await figures.GetAsync(notBefore: null, cancellationToken);
        var f = counted.Figures;
        return new StorageStatus(f.Records, f.Tombstones, f.Feed, f.Bytes, counted.At, LastCollection: null);
    }
}
