using OrleansCausal.Core;
using OrleansCausal.Storage;

namespace OrleansCausal.Runtime.Tests.Support;

/// <summary>
/// A decorator over a real store for tests: measures how many puts per key overlap, counts reads, can hold puts at a
/// gate, run a step just before or after the inner put (another change slipping in), inject faults, and swallow
/// change notices (a silo that missed a notice). With <paramref name="ownsInner"/> it disposes the inner store.
/// </summary>
public sealed class ProbeStore(IRecordStore inner, bool forwardNotices = true, bool ownsInner = false) : IRecordStore
{
    private readonly Dictionary<RecordKey, int> _inFlight = [];
    private int _maxPerKey;
    private int _inFlightAll;
    private int _maxAll;
    private int _reads;

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

    /// <summary>Runs after the put is enqueued by the actor, just before the inner store sees it.</summary>
    public Func<PutRequest, Task>? BeforePut { get; set; }

    /// <summary>Runs after the inner store committed the put, before its result is handed back.</summary>
    public Func<PutRequest, Task>? AfterPut { get; set; }

    /// <summary>When it returns an exception for a request, the put throws it and the inner store is not called.</summary>
    public Func<PutRequest, Exception?>? PutFault { get; set; }

    /// <summary>When it returns an exception for a key, the read throws it and the inner store is not called.</summary>
    public Func<RecordKey, Exception?>? ReadFault { get; set; }

    /// <summary>Reads that reached the inner store.</summary>
    public int Reads => Volatile.Read(ref _reads);

    public IRecordStore Inner => inner;

    public ReplicaId Replica => inner.Replica;

    public string Description => "probe:" + inner.Description;

    public Task OpenAsync(CancellationToken cancellationToken) => inner.OpenAsync(cancellationToken);

    public Task<CausalRecord> ReadAsync(RecordKey key, CancellationToken cancellationToken)
    {
        if (ReadFault?.Invoke(key) is { } fault)
        {
            throw fault;
        }

        Interlocked.Increment(ref _reads);
        return inner.ReadAsync(key, cancellationToken);
    }

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

            if (PutFault?.Invoke(request) is { } fault)
            {
                throw fault;
            }

            // Widen the window in which an unserialized second put would overlap this one.
            await Task.Delay(2, cancellationToken);
            if (BeforePut is { } before)
            {
                await before(request);
            }

            var result = await inner.PutAsync(request, cancellationToken);
            if (AfterPut is { } after)
            {
                await after(request);
            }

            return result;
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

    public ValueTask DisposeAsync() => ownsInner ? inner.DisposeAsync() : ValueTask.CompletedTask;
}
