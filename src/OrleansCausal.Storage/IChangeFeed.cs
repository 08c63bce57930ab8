namespace OrleansCausal.Storage;

/// <summary>The bins this store created (never merged remote ones), in a gap-free sequence that survives restarts;
/// replication ships from it.</summary>
public interface IChangeFeed
{
    /// <summary>Up to <paramref name="maxCount"/> change-feed entries with a sequence greater than <paramref name="afterSequence"/>, in order.</summary>
    Task<IReadOnlyList<ChangeEntry>> ReadChangesAsync(long afterSequence, int maxCount, CancellationToken cancellationToken);

    /// <summary>The sequence number of the newest change-feed entry (0 when empty).</summary>
    Task<long> GetLastSequenceAsync(CancellationToken cancellationToken);
}
