using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Storage;
using OrleansCausal.Core;
using OrleansCausal.Runtime.Diagnostics;
using OrleansCausal.Runtime.GrainStorage;
using OrleansCausal.Runtime.Namespaces;
using OrleansCausal.Runtime.Options;
using OrleansCausal.Storage;

namespace OrleansCausal.Runtime.Grains;

/// <summary>
/// The record grain. Writes run one at a time (Orleans' turn-based scheduling): each computes the put on the cached
/// record (<see cref="CausalRecord.Put"/>) and persists it through the dotted-bins grain storage, conditional on the
/// record version. When the version moved (a replication merge landed, or a second activation of this key wrote
/// during a membership change) the storage refuses the write with nothing written; the grain reloads the record and
/// computes the write again, so no dot is issued twice and no acknowledged bin is lost.
/// Writes that arrive while one is being persisted are queued and persisted together, in arrival order, by the next
/// write (see <c>RecordGrain.Writes.cs</c>): a hot record costs one storage write per batch, not per put.
/// Reads interleave with writes: they serve the last committed record (published in this silo's
/// <see cref="RecordChangeNotices"/>, where the gateway may read it without a grain call), never a write that
/// is not yet durable, and reload from the store when a change notice, the cache age or the reader's context says
/// the cache is behind.
/// </summary>
public sealed partial class RecordGrain : Grain, IRecordGrain
{
    private readonly IPersistentState<RecordState> _state;
    private readonly IRecordStore _store;
    private readonly NamespaceCatalog _namespaces;
    private readonly RecordChangeNotices _notices;
    private readonly TimeProvider _time;
    private readonly RuntimeMetrics _metrics;
    private readonly OperationWindow _operationWindow;
    private readonly ILogger<RecordGrain> _logger;
    private readonly long _maxCacheAgeTicks;
    private readonly RecordKey _key;
    private RecordChangeNotices.Mark _mark = new();

    public RecordGrain(
        [PersistentState("record", DottedBinsGrainStorageOptions.DefaultName)] IPersistentState<RecordState> state,
        IRecordStore store,
        NamespaceCatalog namespaces,
        RecordChangeNotices notices,
        IGrainContext context,
        IOptions<OrleansCausalOptions> options,
        TimeProvider time,
        RuntimeMetrics metrics,
        ILogger<RecordGrain> logger)
    {
        _state = state;
        _store = store;
        _namespaces = namespaces;
        _notices = notices;
        _time = time;
        _metrics = metrics;
        _logger = logger;
        _maxCacheAgeTicks = (long)(options.Value.Actors.MaxCacheAge.TotalSeconds * time.TimestampFrequency);
        _operationWindow = options.Value.Idempotency.Window;
        _key = RecordGrainKey.Parse(context.GrainId.Key.ToString()!);
        // Listen for change notices from the first stage of the activation's lifecycle — before Orleans reads the
        // state (stage SetupState) — so no notice can fall between that read and the registration; stop at the last.
        context.ObservableLifecycle.Subscribe(nameof(RecordGrain), GrainLifecycleStage.First, StartListening, StopListening);
    }

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        Publish(new RecordSnapshot(_state.State.Record, StateVersion()));
        _metrics.Activated();
        return Task.CompletedTask;
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        _metrics.Deactivated(reason.ReasonCode.ToString());
        return Task.CompletedTask;
    }

    public async Task<RecordSnapshot> ReadAsync(VersionVector? atLeast)
    {
        using var activity = StartActivity("record.read");
        if (_mark.TryGetFresh(atLeast, _time.GetTimestamp(), _maxCacheAgeTicks) is { } cached)
        {
            activity?.SetTag("orleans_causal.cache", "hit");
            return cached;
        }

        activity?.SetTag("orleans_causal.cache", "miss");

        // Straight from the store, not through the persistent state: a write may be in flight on it.
        var stored = await _store.LoadAsync(_key, CancellationToken.None);
        Publish(new RecordSnapshot(stored.Record, stored.Version));
        return _mark.Snapshot;
    }

    /// <summary>A span of the <c>OrleansCausal</c> source for this record .</summary>
    private Activity? StartActivity(string name)
    {
        var activity = CausalTracing.Source.StartActivity(name);
        activity?.SetTag("orleans_causal.namespace", _key.Namespace);
        activity?.SetTag("orleans_causal.key", _key.Key);
        return activity;
    }

    /// <summary>Accepted times are kept to the millisecond (the stored and wire forms), so a bin equals its stored self.</summary>
    private DateTimeOffset AcceptedAt() => DateTimeOffset.FromUnixTimeMilliseconds(_time.GetUtcNow().ToUnixTimeMilliseconds());

    private Task StartListening(CancellationToken cancellationToken)
    {
        _mark = _notices.Register(_key);
        return Task.CompletedTask;
    }

    private Task StopListening(CancellationToken cancellationToken)
    {
        _notices.Unregister(_key, _mark);
        return Task.CompletedTask;
    }

    /// <summary>Keeps the newest committed record seen (versions only grow).</summary>
    private void Publish(RecordSnapshot snapshot)
    {
        _mark.Publish(snapshot, _time.GetTimestamp());
    }

    private long StateVersion() => _state.Etag is { } etag ? long.Parse(etag, CultureInfo.InvariantCulture) : 0;
}
