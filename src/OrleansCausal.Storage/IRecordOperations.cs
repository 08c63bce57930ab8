using OrleansCausal.Core;

namespace OrleansCausal.Storage;

/// <summary>
/// Per-record operations — the seam where the talk's Aerospike (and its record UDF) sits. Each is atomic in the
/// store itself, so several threads, processes or silos sharing one store never lose a bin and never issue the same
/// dot twice. Every change bumps the record's version (<see cref="StoredRecord.Version"/>).
/// </summary>
public interface IRecordOperations
{
    /// <summary>The record and its version; <see cref="StoredRecord.Missing"/> when it was never written.</summary>
    Task<StoredRecord> LoadAsync(RecordKey key, CancellationToken cancellationToken);

    /// <summary>A conditional write computed by the record's owner (see <see cref="RecordWrite"/>); throws
    /// <see cref="RecordVersionConflictException"/> and writes nothing when the record is no longer at
    /// <see cref="RecordWrite.ExpectedVersion"/>. Returns only after the write is durable. Concurrent writes to
    /// different records may share one commit (group commit).</summary>
    Task<RecordWriteResult> WriteAsync(RecordWrite write, CancellationToken cancellationToken);

    /// <summary>The store's own atomic put or delete (see <see cref="CausalRecord.Put"/>): reads, computes and writes
    /// inside one transaction, and appends the new bin to the change feed. For callers without a cached record
    /// (tools, benchmarks); the record grain computes its writes itself and uses <see cref="WriteAsync"/>.</summary>
    Task<StoreWriteResult> PutAsync(PutRequest request, CancellationToken cancellationToken);

    /// <summary>Atomically merges remote bins into their records (see <see cref="CausalRecord.Merge"/>), and records
    /// <paramref name="position"/> in the same transaction when given. Merged bins never enter the change feed.
    /// A bin under this store's own replica that the store never issued is refused with <see cref="ForgedDotException"/>
    /// and nothing of the batch is applied.</summary>
    Task<MergeResult> MergeAsync(IReadOnlyList<KeyedBin> bins, InboundPosition? position, CancellationToken cancellationToken);
}
