using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrleansCausal.Runtime.Diagnostics;
using OrleansCausal.Runtime.Options;
using OrleansCausal.Storage;

namespace OrleansCausal.Runtime.Actors;

/// <summary>
/// Activates one <see cref="RecordActor"/> per key on demand, keeps them in least-recently-used order, deactivates
/// idle ones (<see cref="DeactivateIdle"/>, run periodically by <see cref="ActorIdleSweeper"/>) and the least recently
/// used idle ones beyond <c>Actors:MaxActive</c>. An actor with a request in flight is never deactivated, so a key
/// never has two actors on one silo. Subscribes to the store's change notices and invalidates the matching actor.
/// </summary>
public sealed class RecordActorDirectory : IDisposable
{
    private readonly object _sync = new();
    private readonly Dictionary<RecordKey, RecordActor> _actors = [];
    private readonly LinkedList<RecordActor> _lru = new();
    private readonly IRecordStore _store;
    private readonly TimeProvider _time;
    private readonly RuntimeMetrics _metrics;
    private readonly ILogger<RecordActorDirectory> _logger;
    private readonly ActorOptions _options;

    public RecordActorDirectory(
        IRecordStore store,
        IOptions<OrleansCausalOptions> options,
        TimeProvider time,
        RuntimeMetrics metrics,
        ILogger<RecordActorDirectory> logger)
    {
        _store = store;
        _time = time;
        _metrics = metrics;
        _logger = logger;
        _options = options.Value.Actors;
        _store.RecordChanged += OnRecordChanged;
        metrics.Meter.CreateObservableGauge("orleans_causal.actors.active", () => Count, "{actor}", "Record actors active now.");
    }

    public int Count
    {
        get
        {
            lock (_sync)
            {
                return _actors.Count;
            }
        }
    }

    public TimeSpan IdleTimeout => _options.IdleTimeout;

    /// <summary>True when an actor for <paramref name="key"/> is active (for tests and diagnostics).</summary>
    public bool IsActive(RecordKey key)
    {
        lock (_sync)
        {
            return _actors.ContainsKey(key);
        }
    }

    /// <summary>Runs <paramref name="work"/> on the actor of <paramref name="key"/>, activating it when needed.</summary>
    public async Task<T> UseAsync<T>(RecordKey key, Func<RecordActor, CancellationToken, Task<T>> work, CancellationToken cancellationToken)
    {
        var actor = Acquire(key);
        try
        {
            return await work(actor, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            Release(actor);
        }
    }

    /// <summary>Deactivates every actor idle for longer than <c>Actors:IdleTimeout</c>; returns how many.</summary>
    public int DeactivateIdle()
    {
        var cutoff = _time.GetTimestamp() - (long)(_options.IdleTimeout.TotalSeconds * _time.TimestampFrequency);
        var count = 0;
        int remaining;
        lock (_sync)
        {
            var node = _lru.Last;
            while (node is not null)
            {
                var previous = node.Previous;
                var actor = node.Value;
                if (actor.LastUsed > cutoff)
                {
                    break;
                }

                if (actor.InFlight == 0)
                {
                    Remove(actor);
                    count++;
                }

                node = previous;
            }

            remaining = _actors.Count;
        }

        for (var i = 0; i < count; i++)
        {
            _metrics.Deactivated("idle");
        }

        if (count > 0)
        {
            RuntimeLog.LogDebugIdleDeactivated(_logger, count, remaining);
        }

        return count;
    }

    public void Dispose() => _store.RecordChanged -= OnRecordChanged;

    private RecordActor Acquire(RecordKey key)
    {
        List<RecordKey>? evicted = null;
        RecordActor actor;
        var activated = false;
        lock (_sync)
        {
            if (_actors.TryGetValue(key, out var existing))
            {
                actor = existing;
                _lru.Remove(actor.Node!);
                _lru.AddFirst(actor.Node!);
            }
            else
            {
                actor = new RecordActor(key, _store, _time, _options.MaxCacheAge);
                actor.Node = _lru.AddFirst(actor);
                _actors.Add(key, actor);
                activated = true;
                evicted = EvictOverCap();
            }

            actor.InFlight++;
            actor.LastUsed = _time.GetTimestamp();
        }

        if (activated)
        {
            _metrics.Activated();
        }

        if (evicted is not null)
        {
            foreach (var gone in evicted)
            {
                _metrics.Deactivated("cap");
                RuntimeLog.LogDebugCapDeactivated(_logger, _options.MaxActive, gone.ToString());
            }
        }

        return actor;
    }

    private void Release(RecordActor actor)
    {
        lock (_sync)
        {
            actor.InFlight--;
            actor.LastUsed = _time.GetTimestamp();
        }
    }

    private List<RecordKey>? EvictOverCap()
    {
        List<RecordKey>? evicted = null;
        var node = _lru.Last;
        while (_actors.Count > _options.MaxActive && node is not null)
        {
            var previous = node.Previous;
            if (node.Value.InFlight == 0 && node != _lru.First)
            {
                (evicted ??= []).Add(node.Value.Key);
                Remove(node.Value);
            }

            node = previous;
        }

        return evicted;
    }

    private void Remove(RecordActor actor)
    {
        _lru.Remove(actor.Node!);
        _actors.Remove(actor.Key);
        actor.Node = null;
    }

    private void OnRecordChanged(object? sender, RecordChangedEventArgs e)
    {
        RecordActor? actor;
        lock (_sync)
        {
            _actors.TryGetValue(e.Key, out actor);
        }

        actor?.Invalidate();
    }
}
