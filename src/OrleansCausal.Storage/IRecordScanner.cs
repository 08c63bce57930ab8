using OrleansCausal.Core;

namespace OrleansCausal.Storage;

/// <summary>Walks every record in key order — the full resend used for catch-up and anti-entropy.</summary>
public interface IRecordScanner
{
    /// <summary>Every record with a key after <paramref name="after"/> (ordinal by namespace, then key), in that order,
    /// at most <paramref name="maxCount"/>.</summary>
    Task<IReadOnlyList<(RecordKey Key, CausalRecord Record)>> ScanAsync(RecordKey? after, int maxCount, CancellationToken cancellationToken);
}
