using OrleansCausal.Core;

namespace OrleansCausal.Storage;

/// <summary>
/// The storage provider contract — the seam where the talk's Aerospike (and its record UDF) sits.
/// Every per-record operation is atomic in the store itself, so several threads, processes or silos sharing one
/// store never lose a bin and never issue the same dot twice. The change feed lists the bins this store created
/// (never merged remote ones), in a gap-free sequence that survives restarts; replication ships from it.
/// </summary>
public interface IRecordStore : IAsyncDisposable
{
    /// <summary>The replica (region + store incarnation) this store issues dots under. Valid after <see cref="OpenAsync"/>.</summary>
    ReplicaId Replica { get; }

    /// <summary>A description safe to show and log (no passwords), e.g. <c>sqlite:/var/lib/oc/eu.db</c>.</summary>
    string Description { get; }

    /// <summary>Raised after a change to a record commits (here or, where the provider can tell, in another silo).</summary>
    event EventHandler<RecordChangedEventArgs>? RecordChanged;

    /// <summary>Creates or migrates the schema and loads (or creates) the store incarnation.</summary>
    Task OpenAsync(CancellationToken cancellationToken);

    /// <summary>The record, or <see cref="CausalRecord.Empty"/> when it was never written.</summary>
    Task<CausalRecord> ReadAsync(RecordKey key, CancellationToken cancellationToken);

    /// <summary>Atomically applies a put or delete (see <see cref="CausalRecord.Put"/>) and appends the new bin to the change feed.
    /// Returns only after the write is durable.</summary>
    Task<StoreWriteResult> PutAsync(PutRequest request, CancellationToken cancellationToken);

    /// <summary>Atomically merges remote bins into their records (see <see cref="CausalRecord.Merge"/>), and records
    /// <paramref name="position"/> in the same transaction when given. Merged bins never enter the change feed.
    /// A bin under this store's own replica that the store never issued is refused with <see cref="ForgedDotException"/>
    /// and nothing of the batch is applied.</summary>
    Task<MergeResult> MergeAsync(IReadOnlyList<KeyedBin> bins, InboundPosition? position, CancellationToken cancellationToken);

    /// <summary>Up to <paramref name="maxCount"/> change-feed entries with a sequence greater than <paramref name="afterSequence"/>, in order.</summary>
    Task<IReadOnlyList<ChangeEntry>> ReadChangesAsync(long afterSequence, int maxCount, CancellationToken cancellationToken);

    /// <summary>The sequence number of the newest change-feed entry (0 when empty).</summary>
    Task<long> GetLastSequenceAsync(CancellationToken cancellationToken);

    /// <summary>A durable named checkpoint (e.g. how far a peer has acknowledged), 0 when never saved.</summary>
    Task<long> GetCheckpointAsync(string name, CancellationToken cancellationToken);

    Task SaveCheckpointAsync(string name, long sequence, CancellationToken cancellationToken);

    /// <summary>How far a source's change feed has been applied here (0 when never).</summary>
    Task<long> GetInboundPositionAsync(string source, CancellationToken cancellationToken);

    /// <summary>Every record with a key after <paramref name="after"/> (ordinal by namespace, then key), in that order,
    /// at most <paramref name="maxCount"/> — the full resend used for catch-up and anti-entropy.</summary>
    Task<IReadOnlyList<(RecordKey Key, CausalRecord Record)>> ScanAsync(RecordKey? after, int maxCount, CancellationToken cancellationToken);
}
