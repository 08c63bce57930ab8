using OrleansCausal.Core;
using OrleansCausal.Storage;

namespace OrleansCausal.Runtime.Tests.Support;

/// <summary>
/// A decorator over a real store for unit tests: measures how many puts per key overlap, can hold puts at a gate,
/// and can swallow change notices (a silo that missed a notice).
/// </summary>
public sealed class ProbeStore(IRecordStore inner, bool forwardNotices = true) : IRecordStore
{
    private readonly Dictionary<RecordKey, int> _inFlight = [];
    private int _maxPerKey;
    private int _inFlightAll;
    private int _maxAll;

    public event EventHandler<RecordChangedEventArgs>? RecordChanged
    {
        add
        {
            if (forwardNotices)
            {
                inner.RecordChanged += value;
            }
        }

        remove
        {
            if (forwardNotices)
            {
                inner.RecordChanged -= value;
            }
        }
    }

    public int MaxConcurrentPutsPerKey => Volatile.Read(ref _maxPerKey);

    public int MaxConcurrentPuts => Volatile.Read(ref _maxAll);

    /// <summary>When set, every put waits for this task before reaching the store.</summary>
    public Task? Gate { get; set; }

    /// <summary>Completed when a put is waiting at <see cref="Gate"/>.</summary>
    public TaskCompletionSource PutArrived { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public ReplicaId Replica => inner.Replica;

    public string Description => "probe:" + inner.Description;

    public Task OpenAsync(CancellationToken cancellationToken) => inner.OpenAsync(cancellationToken);

    public Task<CausalRecord> ReadAsync(RecordKey key, CancellationToken cancellationToken) => inner.ReadAsync(key, cancellationToken);

    public async Task<StoreWriteResult> PutAsync(PutRequest request, CancellationToken cancellationToken)
    {
        lock (_inFlight)
        {
            var now = _inFlight[request.Key] = _inFlight.GetValueOrDefault(request.Key) + 1;
            _maxPerKey = Math.Max(_maxPerKey, now);
            _maxAll = Math.Max(_maxAll, ++_inFlightAll);
        }

        try
        {
            if (Gate is { } gate)
            {
                PutArrived.TrySetResult();
                await gate.WaitAsync(TimeSpan.FromSeconds(30), cancellationToken);
            }

            // Widen the window in which an unserialized second put would overlap this one.
            await Task.Delay(2, cancellationToken);
            return await inner.PutAsync(request, cancellationToken);
        }
        finally
        {
            lock (_inFlight)
            {
                _inFlight[request.Key]--;
                _inFlightAll--;
            }
        }
    }

    public Task<MergeResult> MergeAsync(IReadOnlyList<KeyedBin> bins, InboundPosition? position, CancellationToken cancellationToken) =>
        inner.MergeAsync(bins, position, cancellationToken);

    public Task<IReadOnlyList<ChangeEntry>> ReadChangesAsync(long afterSequence, int maxCount, CancellationToken cancellationToken) =>
        inner.ReadChangesAsync(afterSequence, maxCount, cancellationToken);

    public Task<long> GetLastSequenceAsync(CancellationToken cancellationToken) => inner.GetLastSequenceAsync(cancellationToken);

    public Task<long> GetCheckpointAsync(string name, CancellationToken cancellationToken) => inner.GetCheckpointAsync(name, cancellationToken);

    public Task SaveCheckpointAsync(string name, long sequence, CancellationToken cancellationToken) =>
        inner.SaveCheckpointAsync(name, sequence, cancellationToken);

    public Task<long> GetInboundPositionAsync(string source, CancellationToken cancellationToken) => inner.GetInboundPositionAsync(source, cancellationToken);

    public Task<IReadOnlyList<(RecordKey Key, CausalRecord Record)>> ScanAsync(RecordKey? after, int maxCount, CancellationToken cancellationToken) =>
        inner.ScanAsync(after, maxCount, cancellationToken);

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
