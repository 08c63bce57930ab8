using OrleansCausal.Core;
using OrleansCausal.Storage;

namespace OrleansCausal.Tests.Shared;

/// <summary>A store decorator for tests that forwards every call to <see cref="Inner"/>; a test decorator overrides
/// only what it intercepts, and the store contract's members are forwarded in one place.</summary>
public abstract class ForwardingRecordStore(IRecordStore inner) : IRecordStore
{
    public IRecordStore Inner { get; } = inner;

    public virtual ReplicaId Replica => Inner.Replica;

    public virtual string Description => Inner.Description;

    public abstract event EventHandler<RecordChangedEventArgs>? RecordChanged;

    public virtual Task OpenAsync(CancellationToken cancellationToken) => Inner.OpenAsync(cancellationToken);

    public virtual Task<StoredRecord> LoadAsync(RecordKey key, CancellationToken cancellationToken) => Inner.LoadAsync(key, cancellationToken);

    public virtual Task<RecordWriteResult> WriteAsync(RecordWrite write, CancellationToken cancellationToken) => Inner.WriteAsync(write, cancellationToken);

    public virtual Task<StoreWriteResult> PutAsync(PutRequest request, CancellationToken cancellationToken) => Inner.PutAsync(request, cancellationToken);

    public virtual Task<MergeResult> MergeAsync(IReadOnlyList<KeyedBin> bins, InboundPosition? position, CancellationToken cancellationToken) =>
        Inner.MergeAsync(bins, position, cancellationToken);

    public virtual Task<IReadOnlyList<ChangeEntry>> ReadChangesAsync(long afterSequence, int maxCount, CancellationToken cancellationToken) =>
        Inner.ReadChangesAsync(afterSequence, maxCount, cancellationToken);

    public virtual Task<long> GetLastSequenceAsync(CancellationToken cancellationToken) => Inner.GetLastSequenceAsync(cancellationToken);

    public virtual Task<long> GetCheckpointAsync(string name, CancellationToken cancellationToken) => Inner.GetCheckpointAsync(name, cancellationToken);

    public virtual Task SaveCheckpointAsync(string name, long sequence, CancellationToken cancellationToken) =>
        Inner.SaveCheckpointAsync(name, sequence, cancellationToken);

    public virtual Task<long> GetInboundPositionAsync(string source, CancellationToken cancellationToken) => Inner.GetInboundPositionAsync(source, cancellationToken);

    public virtual Task<StorageFigures> GetStorageFiguresAsync(CancellationToken cancellationToken) => Inner.GetStorageFiguresAsync(cancellationToken);

    public virtual Task<IReadOnlyDictionary<string, long>> GetInboundPositionsAsync(CancellationToken cancellationToken) =>
        Inner.GetInboundPositionsAsync(cancellationToken);

    public virtual Task<long> CompactFeedAsync(long through, CancellationToken cancellationToken) => Inner.CompactFeedAsync(through, cancellationToken);

    public virtual Task<IReadOnlyList<RecordKey>> PurgeAsync(IReadOnlyList<PurgeCandidate> candidates, CancellationToken cancellationToken) =>
        Inner.PurgeAsync(candidates, cancellationToken);

    public virtual Task<IReadOnlyList<(RecordKey Key, CausalRecord Record)>> ScanAsync(RecordKey? after, int maxCount, CancellationToken cancellationToken) =>
        Inner.ScanAsync(after, maxCount, cancellationToken);

    public virtual ValueTask DisposeAsync() => Inner.DisposeAsync();
}
