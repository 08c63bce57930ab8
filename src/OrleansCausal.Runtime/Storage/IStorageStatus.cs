namespace OrleansCausal.Runtime.Storage;

/// <summary>The store's figures for the status endpoint. The runtime registers <see cref="StoreFiguresStatus"/>; the
/// replication module replaces it with one that adds the garbage collector's last round.</summary>
public interface IStorageStatus
{
    Task<StorageStatus> GetAsync(CancellationToken cancellationToken);
}
