using OrleansCausal.Core;
using OrleansCausal.Storage;

namespace OrleansCausal.Replication.Tests.TestCluster;

/// <summary>A store decorator for tests. With <paramref name="localNoticesOnly"/> it drops the notices of changes made
/// through other silos (PostgreSQL's LISTEN/NOTIFY), as if they arrived late: whatever a silo learns of a merge
/// applied through another silo, it then learns from the replicator itself. <see cref="PrunedThrough"/> hides the
/// change feed up to a sequence, as if it had been pruned.</summary>
public sealed class DecoratedStore(IRecordStore inner, bool localNoticesOnly = false) : IRecordStore
{
    private long _prunedThrough;

    /// <summary>Feed entries up to this sequence are no longer returned.</summary>
    public long PrunedThrough
    {
        get => Interlocked.Read(ref _prunedThrough);
        set => Interlocked.Exchange(ref _prunedThrough, value);
    }

    private EventHandler<RecordChangedEventArgs>? _handlers;

    public ReplicaId Replica => inner.Replica;

    public string Description => inner.Description;

    public event EventHandler<RecordChangedEventArgs>? RecordChanged
    {
        add
        {
            if (_handlers is null)
            {
                inner.RecordChanged += Forward;
            }

            _handlers += value;
        }

        remove => _handlers -= value;
    }

    private void Forward(object? sender, RecordChangedEventArgs e)
    {
        if (e.IsLocal || !localNoticesOnly)
        {
            _handlers?.Invoke(this, e);
        }
    }

    public Task OpenAsync(CancellationToken cancellationToken) => inner.OpenAsync(cancellationToken);

    public Task<StoredRecord> LoadAsync(RecordKey key, CancellationToken cancellationToken) => inner.LoadAsync(key, cancellationToken);

    public Task<RecordWriteResult> WriteAsync(RecordWrite write, CancellationToken cancellationToken) => inner.WriteAsync(write, cancellationToken);

    public Task<StoreWriteResult> PutAsync(PutRequest request, CancellationToken cancellationToken) => inner.PutAsync(request, cancellationToken);

    public Task<MergeResult> MergeAsync(IReadOnlyList<KeyedBin> bins, InboundPosition? position, CancellationToken cancellationToken) =>
        inner.MergeAsync(bins, position, cancellationToken);

    public async Task<IReadOnlyList<ChangeEntry>> ReadChangesAsync(long afterSequence, int maxCount, CancellationToken cancellationToken)
    {
        var pruned = PrunedThrough;
        return afterSequence >= pruned
            ? await inner.ReadChangesAsync(afterSequence, maxCount, cancellationToken)
            : await inner.ReadChangesAsync(pruned, maxCount, cancellationToken);
    }

    public Task<long> GetLastSequenceAsync(CancellationToken cancellationToken) => inner.GetLastSequenceAsync(cancellationToken);

    public Task<long> GetCheckpointAsync(string name, CancellationToken cancellationToken) => inner.GetCheckpointAsync(name, cancellationToken);

    public Task SaveCheckpointAsync(string name, long sequence, CancellationToken cancellationToken) => inner.SaveCheckpointAsync(name, sequence, cancellationToken);

    public Task<long> GetInboundPositionAsync(string source, CancellationToken cancellationToken) => inner.GetInboundPositionAsync(source, cancellationToken);

    public Task<StorageFigures> GetStorageFiguresAsync(CancellationToken cancellationToken) => inner.GetStorageFiguresAsync(cancellationToken);

    public Task<IReadOnlyDictionary<string, long>> GetInboundPositionsAsync(CancellationToken cancellationToken) => inner.GetInboundPositionsAsync(cancellationToken);

    public Task<long> CompactFeedAsync(long through, CancellationToken cancellationToken) => inner.CompactFeedAsync(through, cancellationToken);

    public Task<IReadOnlyList<RecordKey>> PurgeAsync(IReadOnlyList<PurgeCandidate> candidates, CancellationToken cancellationToken) =>
        inner.PurgeAsync(candidates, cancellationToken);

    public Task<IReadOnlyList<(RecordKey Key, CausalRecord Record)>> ScanAsync(RecordKey? after, int maxCount, CancellationToken cancellationToken) =>
        inner.ScanAsync(after, maxCount, cancellationToken);

    public ValueTask DisposeAsync() => inner.DisposeAsync();
}
