using OrleansCausal.Core;
using OrleansCausal.Storage;
using OrleansCausal.Tests.Shared;

namespace OrleansCausal.Runtime.Tests.Support;

/// <summary>
/// A decorator over a real store for tests: measures how many conditional writes per key overlap, counts loads, can
/// hold writes at a gate, run a step just before or after the inner write (another change slipping in), inject
/// faults, and swallow change notices (a silo that missed a notice). Several silos may share one probe (one database):
/// it opens the inner store once and, with <paramref name="ownsInner"/>, disposes it when the last silo closes it.
/// </summary>
public sealed class ProbeStore(IRecordStore inner, bool forwardNotices = true, bool ownsInner = false) : ForwardingRecordStore(inner)
{
    private readonly Dictionary<RecordKey, int> _inFlight = [];
    private readonly SemaphoreSlim _openGate = new(1, 1);
    private int _opened;
    private int _maxPerKey;
    private int _inFlightAll;
    private int _maxAll;
    private int _reads;
    private int _writes;

    public override event EventHandler<RecordChangedEventArgs>? RecordChanged
    {
        add
        {
            if (forwardNotices)
            {
                Inner.RecordChanged += value;
            }
        }

        remove
        {
            if (forwardNotices)
            {
                Inner.RecordChanged -= value;
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

    /// <summary>Conditional writes that reached this store (refused ones included).</summary>
    public int Writes => Volatile.Read(ref _writes);

    public override string Description => "probe:" + Inner.Description;

    public override async Task OpenAsync(CancellationToken cancellationToken)
    {
        await _openGate.WaitAsync(cancellationToken);
        try
        {
            if (_opened++ == 0)
            {
                await Inner.OpenAsync(cancellationToken);
            }
        }
        finally
        {
            _openGate.Release();
        }
    }

    public override Task<StoredRecord> LoadAsync(RecordKey key, CancellationToken cancellationToken)
    {
        if (ReadFault?.Invoke(key) is { } fault)
        {
            throw fault;
        }

        Interlocked.Increment(ref _reads);
        return Inner.LoadAsync(key, cancellationToken);
    }

    public override async Task<RecordWriteResult> WriteAsync(RecordWrite write, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _writes);
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

            var result = await Inner.WriteAsync(write, cancellationToken);
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

    public override async ValueTask DisposeAsync()
    {
        await _openGate.WaitAsync();
        try
        {
            if (--_opened <= 0 && ownsInner)
            {
                await Inner.DisposeAsync();
            }
        }
        finally
        {
            _openGate.Release();
        }
    }
}
