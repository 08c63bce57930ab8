using OrleansCausal.Core;
using OrleansCausal.Storage;

namespace OrleansCausal.Runtime.Tests.Support;

/// <summary>
/// A decorator over a real store for tests: measures how many conditional writes per key overlap, counts loads, can
/// hold writes at a gate, run a step just before or after the inner write (another change slipping in), inject
/// faults, and swallow change notices (a silo that missed a notice). Several silos may share one probe (one database):
/// it opens the inner store once and, with <paramref name="ownsInner"/>, disposes it when the last silo closes it.
/// </summary>
public sealed class ProbeStore(IRecordStore inner, bool forwardNotices = true, bool ownsInner = false) : IRecordStore
{
    private readonly Dictionary<RecordKey, int> _inFlight = [];
    private readonly SemaphoreSlim _openGate = new(1, 1);
    private int _opened;
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

    public int MaxConcurrentWritesPerKey => Volatile.Read(ref _maxPerKey);

    public int MaxConcurrentWrites => Volatile.Read(ref _maxAll);

    /// <summary>When set, every conditional write waits for this task before reaching the store.</summary>
    public Task? Gate { get; set; }

    /// <summary>Completed when a write is waiting at <see cref="Gate"/>.</summary>
    public TaskCompletionSource WriteArrived { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Runs just before the inner store sees a conditional write.</summary>
    public Func<RecordWrite, Task>? BeforeWrite { get; set; }

    /// <summary>Runs after the inner store committed a conditional write, before its result is handed back.</summary>
    public Func<RecordWrite, Task>? AfterWrite { get; set; }

    /// <summary>When it returns an exception for a write, the write throws it and the inner store is not called.</summary>
    public Func<RecordWrite, Exception?>? WriteFault { get; set; }

    /// <summary>When it returns an exception for a key, the load throws it and the inner store is not called.</summary>
    public Func<RecordKey, Exception?>? ReadFault { get; set; }

    /// <summary>Loads that reached the inner store.</summary>
    public int Reads => Volatile.Read(ref _reads);

    public IRecordStore Inner => inner;

    public ReplicaId Replica => inner.Replica;

    public string Description => "probe:" + inner.Description;

    public async Task OpenAsync(CancellationToken cancellationToken)
    {
        await _openGate.WaitAsync(cancellationToken);
        try
        {
            if (_opened++ == 0)
            {
                await inner.OpenAsync(cancellationToken);
            }
        }
        finally
        {
            _openGate.Release();
        }
    }

    public Task<StoredRecord> LoadAsync(RecordKey key, CancellationToken cancellationToken)
    {
        if (ReadFault?.Invoke(key) is { } fault)
        {
            throw fault;
        }

        Interlocked.Increment(ref _reads);
        return inner.LoadAsync(key, cancellationToken);
    }

    public async Task<RecordWriteResult> WriteAsync(RecordWrite write, CancellationToken cancellationToken)
    {
        lock (_inFlight)
        {
            var now = _inFlight[write.Key] = _inFlight.GetValueOrDefault(write.Key) + 1;
            _maxPerKey = Math.Max(_maxPerKey, now);
            _maxAll = Math.Max(_maxAll, ++_inFlightAll);
        }

        try
        {
            if (Gate is { } gate)
            {
                WriteArrived.TrySetResult();
                await gate.WaitAsync(TimeSpan.FromSeconds(30), cancellationToken);
            }

            if (WriteFault?.Invoke(write) is { } fault)
            {
                throw fault;
            }

            // Widen the window in which an unserialized second write would overlap this one.
            await Task.Delay(2, cancellationToken);
            if (BeforeWrite is { } before)
            {
                await before(write);
            }

            var result = await inner.WriteAsync(write, cancellationToken);
            if (AfterWrite is { } after)
            {
                await after(write);
            }

            return result;
        }
        finally
        {
            lock (_inFlight)
            {
                _inFlight[write.Key]--;
                _inFlightAll--;
            }
        }
    }

    public Task<StoreWriteResult> PutAsync(PutRequest request, CancellationToken cancellationToken) => inner.PutAsync(request, cancellationToken);

    public Task<MergeResult> MergeAsync(IReadOnlyList<KeyedBin> bins, InboundPosition? position, CancellationToken cancellationToken) =>
        inner.MergeAsync(bins, position, cancellationToken);

    public Task<IReadOnlyList<ChangeEntry>> ReadChangesAsync(long afterSequence, int maxCount, CancellationToken cancellationToken) =>
        inner.ReadChangesAsync(afterSequence, maxCount, cancellationToken);

    public Task<long> GetLastSequenceAsync(CancellationToken cancellationToken) => inner.GetLastSequenceAsync(cancellationToken);

    public Task<long> GetCheckpointAsync(string name, CancellationToken cancellationToken) => inner.GetCheckpointAsync(name, cancellationToken);

    public Task SaveCheckpointAsync(string name, long sequence, CancellationToken cancellationToken) =>
        inner.SaveCheckpointAsync(name, sequence, cancellationToken);

    public Task<long> GetInboundPositionAsync(string source, CancellationToken cancellationToken) => inner.GetInboundPositionAsync(source, cancellationToken);

    public Task<StorageFigures> GetStorageFiguresAsync(CancellationToken cancellationToken) => inner.GetStorageFiguresAsync(cancellationToken);

    public Task<IReadOnlyDictionary<string, long>> GetInboundPositionsAsync(CancellationToken cancellationToken) => inner.GetInboundPositionsAsync(cancellationToken);

    public Task<long> CompactFeedAsync(long through, CancellationToken cancellationToken) => inner.CompactFeedAsync(through, cancellationToken);

    public Task<IReadOnlyList<RecordKey>> PurgeAsync(IReadOnlyList<PurgeCandidate> candidates, CancellationToken cancellationToken) =>
        inner.PurgeAsync(candidates, cancellationToken);

    public Task<IReadOnlyList<(RecordKey Key, CausalRecord Record)>> ScanAsync(RecordKey? after, int maxCount, CancellationToken cancellationToken) =>
        inner.ScanAsync(after, maxCount, cancellationToken);

    public async ValueTask DisposeAsync()
    {
        await _openGate.WaitAsync();
        try
        {
            if (--_opened <= 0 && ownsInner)
            {
                await inner.DisposeAsync();
            }
        }
        finally
        {
            _openGate.Release();
        }
    }
}
