using OrleansCausal.Core;

namespace OrleansCausal.Storage;

public static class RecordOperationsExtensions
{
    /// <summary>The record without its version; <see cref="CausalRecord.Empty"/> when it was never written.</summary>
    public static async Task<CausalRecord> ReadAsync(this IRecordOperations store, RecordKey key, CancellationToken cancellationToken) =>
        (await store.LoadAsync(key, cancellationToken).ConfigureAwait(false)).Record;
}
