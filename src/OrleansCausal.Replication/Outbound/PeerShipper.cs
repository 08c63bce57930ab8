using Microsoft.Extensions.Logging;
using OrleansCausal.Replication.Hosting;
using OrleansCausal.Replication.Wire;
using OrleansCausal.Storage;

namespace OrleansCausal.Replication.Outbound;

/// <summary>
/// Ships this region's change feed to one peer region: from the durable checkpoint <c>peer:{Region}</c>, in order,
/// in batches, at least once; the checkpoint advances only after the peer acknowledged. Failures back off
/// exponentially with jitter and never give up (the backlog waits in the feed). Wakes as soon as a local change
/// commits. A 409 from the peer rewinds to the position it names; a peer that reports nothing applied while we
/// believed otherwise (its store was rebuilt) gets a full resend, as does a new peer.
/// </summary>
public sealed class PeerShipper
{
    private readonly PeerConfiguration _peer;
    private readonly IRecordStore _store;
    private readonly PeerClient _client;
    private readonly ReplicationOptions _options;
    private readonly ReplicationMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly AsyncSignal _wake = new();
    private readonly ExponentialBackoff _backoff;
    private long _checkpoint;
    /// <summary>The durable checkpoint save of the last acknowledged batch, still running while the next batch ships.
    /// At most one is outstanding and they complete in order, so the durable checkpoint only lags the acknowledged
    /// one (a crash then re-sends a few batches; the peer merges them idempotently).</summary>
    private Task _checkpointSave = Task.CompletedTask;
    /// <summary>The next page of the feed, read while the previous batch was on the wire; valid only for
    /// <see cref="_prefetchAfter"/>.</summary>
    private Task<IReadOnlyList<ChangeEntry>>? _prefetch;
    private long _prefetchAfter = -1;
    private bool _catchingUp;
    private volatile bool _resendRequested;
    private string _resendReason = "";
    private DateTimeOffset? _holeSeenAt;
    private DateTimeOffset _lastContactAt = DateTimeOffset.MinValue;
    private DateTimeOffset _backlogRefreshedAt = DateTimeOffset.MinValue;
    private static readonly TimeSpan GaugeRefreshInterval = TimeSpan.FromSeconds(1);

    public PeerShipper(PeerConfiguration peer, IRecordStore store, PeerClient client, ReplicationOptions options,
        ReplicationMetrics metrics, TimeProvider time, ILogger logger)
    {
        _peer = peer;
        _store = store;
        _client = client;
        _options = options;
        _metrics = metrics;
        _time = time;
        _logger = logger;
        _backoff = new ExponentialBackoff(options.InitialBackoff, options.MaxBackoff);
    }

    public string Region => _peer.Region.Value;

    public string CheckpointName => CheckpointNameOf(Region);

    /// <summary>The durable checkpoint of a peer: the highest sequence it acknowledged.</summary>
    public static string CheckpointNameOf(string region) => $"peer:{region}";

    /// <summary>The highest sequence the peer acknowledged (as last known here).</summary>
    public long Checkpoint => Interlocked.Read(ref _checkpoint);

    public IReadOnlyList<Uri> Endpoints => _peer.Endpoints;

    /// <summary>The full resend: null when none was needed, otherwise what it is doing or did and why.</summary>
    public string? Repair { get; private set; }

    public string? LastError { get; private set; }

    private BacklogSnapshot _backlog = new(0, null);

    /// <summary>Backlog as last computed (for metrics gauges, which must not do I/O).</summary>
    public long LastKnownBacklog => _backlog.Backlog;

    /// <summary>Acceptance time of the oldest unacknowledged bin, as last computed.</summary>
    public DateTimeOffset? OldestUnacknowledgedAt => _backlog.OldestAt;

    public void Wake() => _wake.Set();

    public void RequestResend() => ScheduleResend("requested by an operator");

    private void ScheduleResend(string reason)
    {
        _resendReason = reason;
        Repair = $"full resend scheduled: {reason}";
        _resendRequested = true;
        _wake.Set();
    }

    public async Task RunAsync(CancellationToken stopping)
    {
        Log.LogInformationShipperStarted(_logger, Region, string.Join(", ", _peer.Endpoints));
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                if (_resendRequested)
                {
                    if (await ResendAllAsync(stopping))
                    {
                        _resendRequested = false;
                    }

                    continue;
                }

                if (!await ShipNextBatchAsync(stopping))
                {
                    await _wake.WaitAsync(_options.IdlePollInterval, stopping);
                }
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e)
            {
                try
                {
                    await FailAsync($"{e.GetType().Name}: {e.Message}", e, stopping);
                }
                catch (OperationCanceledException) when (stopping.IsCancellationRequested)
                {
                    break;
                }
            }
        }
    }

    /// <summary>After the loop ended: makes the acknowledged checkpoint durable.</summary>
    public Task StopAsync(CancellationToken cancellationToken) => FlushCheckpointAsync(cancellationToken);

    /// <summary>Reads the durable checkpoint and decides on a first full resend. Called once before <see cref="RunAsync"/>.</summary>
    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        var checkpoint = await _store.GetCheckpointAsync(CheckpointName, cancellationToken);
        Interlocked.Exchange(ref _checkpoint, checkpoint);
        if (checkpoint == 0 && _options.ResendToNewPeers)
        {
            var any = await _store.ScanAsync(null, 1, cancellationToken);
            if (any.Count > 0)
            {
                Log.LogInformationNewPeerResend(_logger, Region);
                ScheduleResend("new peer: it has acknowledged nothing yet");
            }
        }

        await RefreshBacklogAsync(cancellationToken);
    }

    /// <summary>Waits for the outstanding checkpoint save and makes sure the acknowledged checkpoint is durable.</summary>
    private async Task FlushCheckpointAsync(CancellationToken cancellationToken)
    {
        await AwaitSaveAsync(_checkpointSave);
        var acknowledged = Checkpoint;
        if (await _store.GetCheckpointAsync(CheckpointName, cancellationToken) < acknowledged)
        {
            await _store.SaveCheckpointAsync(CheckpointName, acknowledged, cancellationToken);
        }
    }

    /// <summary>Starts the durable save of an acknowledged checkpoint once the previous save finished (in order).</summary>
    private async Task SaveCheckpointInOrderAsync(Task previous, long through, CancellationToken stopping)
    {
        await AwaitSaveAsync(previous);
        await _store.SaveCheckpointAsync(CheckpointName, through, stopping);
    }

    /// <summary>Waits for a checkpoint save. A failed one is superseded by the next save (which carries a higher or
    /// the rewound value), so its failure must not poison every later save; the store's next read reports a broken store.</summary>
    private static async Task AwaitSaveAsync(Task save)
    {
        try
        {
            await save;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Superseded by the save that follows.
        }
        catch (OperationCanceledException)
        {
            // Stopping; StopAsync flushes the checkpoint.
        }
    }

    /// <summary>The feed page after <paramref name="after"/>: the prefetched one when it was read for that position.
    /// While catching up (the last page was full) pages are <see cref="ReplicationOptions.CatchUpBatchSize"/> long.</summary>
    private Task<IReadOnlyList<ChangeEntry>> ReadPageAsync(long after, CancellationToken stopping)
    {
        var prefetched = _prefetch;
        _prefetch = null;
        if (prefetched is not null && _prefetchAfter == after)
        {
            return prefetched;
        }

        prefetched?.ContinueWith(static t => _ = t.Exception, TaskScheduler.Default);
        return _store.ReadChangesAsync(after, PageSize, stopping);
    }

    private int PageSize => _catchingUp ? Math.Max(_options.CatchUpBatchSize, _options.BatchSize) : _options.BatchSize;

    /// <summary>Ships one batch. False when there was nothing to ship (the caller waits for a wake-up).</summary>
    private async Task<bool> ShipNextBatchAsync(CancellationToken stopping)
    {
        var after = Checkpoint;
        var pageSize = PageSize;
        var entries = await ReadPageAsync(after, stopping);
        _catchingUp = entries.Count >= pageSize;
        if (entries.Count == 0)
        {
            _backlog = new BacklogSnapshot(0, null);
            if (_time.GetUtcNow() - _lastContactAt >= _options.HeartbeatInterval)
            {
                await HeartbeatAsync(after, stopping);
            }

            return false;
        }

        var contiguous = ContiguousPrefix(entries, after);
        if (contiguous == 0)
        {
            // The next sequence is not visible yet: a provider that is not gap-free, or a pruned feed.
            _holeSeenAt ??= _time.GetUtcNow();
            if (_time.GetUtcNow() - _holeSeenAt < _options.FeedHoleTimeout)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(20), _time, stopping);
                return true;
            }

            Log.LogWarningFeedHole(_logger, Region, after, entries[0].Sequence);
            contiguous = ContiguousPrefix(entries, entries[0].Sequence - 1);
        }

        _holeSeenAt = null;
        var slice = entries.Take(contiguous).ToList();
        var through = slice[^1].Sequence;
        var batch = new ReplicationBatch(_store.Replica.ToString(), after, through, slice.Select(static e => new KeyedBin(e.Key, e.Bin)).ToList());
        if (_catchingUp)
        {
            // More is waiting: read the next page while this batch is on the wire.
            _prefetchAfter = through;
            _prefetch = _store.ReadChangesAsync(through, PageSize, stopping);
        }

        var outcome = await _client.SendAsync(batch, stopping);
        switch (outcome)
        {
            case ShipOutcome.Acknowledged:
                _lastContactAt = _time.GetUtcNow();
                Interlocked.Exchange(ref _checkpoint, through);
                // Saved after the acknowledgement, but not waited for: the next batch ships meanwhile. A failed save
                // surfaces at the next one (and the shipper backs off); the checkpoint only ever lags.
                _checkpointSave = SaveCheckpointInOrderAsync(_checkpointSave, through, stopping);
                _metrics.Shipped(Region, slice.Count, _time.GetUtcNow() - slice[0].Bin.WrittenAt);
                Log.LogDebugBatchShipped(_logger, Region, after, through, slice.Count);
                Succeeded();
                if (_time.GetUtcNow() - _backlogRefreshedAt >= GaugeRefreshInterval)
                {
                    // For the metric gauges only; the status endpoint recomputes on every call.
                    await RefreshBacklogAsync(stopping);
                }

                return true;

            case ShipOutcome.Gap gap:
                await RewindAsync(gap.ExpectedAfter, stopping);
                return true;

            case ShipOutcome.Refused refused:
                await FailAsync($"peer refused batch ({after}, {through}] with HTTP {refused.StatusCode}: {refused.Detail}", null, stopping);
                return true;

            case ShipOutcome.Failed failed:
                await FailAsync(failed.Detail, null, stopping);
                return true;

            default:
                throw new InvalidOperationException($"Unhandled outcome {outcome}.");
        }
    }

    /// <summary>
    /// An empty batch at our checkpoint, sent when idle: it tells whether the peer still has everything we believe
    /// it acknowledged. A peer that lost state (or a reply that was lost in a way that looked like an
    /// acknowledgement) answers 409, and we rewind even though no new write is coming to reveal the gap.
    /// </summary>
    private async Task HeartbeatAsync(long checkpoint, CancellationToken stopping)
    {
        var outcome = await _client.SendAsync(new ReplicationBatch(_store.Replica.ToString(), checkpoint, checkpoint, []), stopping);
        switch (outcome)
        {
            case ShipOutcome.Acknowledged:
                _lastContactAt = _time.GetUtcNow();
                Succeeded();
                break;
            case ShipOutcome.Gap gap:
                _lastContactAt = _time.GetUtcNow();
                await RewindAsync(gap.ExpectedAfter, stopping);
                break;
            case ShipOutcome.Refused refused:
                await FailAsync($"peer refused a heartbeat with HTTP {refused.StatusCode}: {refused.Detail}", null, stopping);
                break;
            case ShipOutcome.Failed failed:
                await FailAsync(failed.Detail, null, stopping);
                break;
        }
    }

    private async Task RewindAsync(long expectedAfter, CancellationToken stopping)
    {
        var current = Checkpoint;
        _metrics.Rewound(Region);
        Log.LogWarningRewind(_logger, Region, current, expectedAfter);
        if (expectedAfter == 0 && current > 0 && !_resendRequested)
        {
            // The peer has applied nothing of ours although it had acknowledged up to `current`: its store was
            // rebuilt. Our feed is not all it lost (bins of other regions we hold, its own old bins): resend all.
            Log.LogWarningPeerLostState(_logger, Region, current);
            ScheduleResend($"the peer had acknowledged through {current} but now reports nothing applied: its store was rebuilt");
        }

        // Any save still running for an earlier acknowledgement must land first, or it would undo the rewind.
        await AwaitSaveAsync(_checkpointSave);
        _prefetch = null;
        _catchingUp = false;
        await _store.SaveCheckpointAsync(CheckpointName, expectedAfter, stopping);
        Interlocked.Exchange(ref _checkpoint, expectedAfter);
        await RefreshBacklogAsync(stopping);
    }

    /// <summary>Sends every record, chunk by chunk. False when it must be retried (after a backoff).</summary>
    private async Task<bool> ResendAllAsync(CancellationToken stopping)
    {
        Log.LogInformationResendStarted(_logger, Region);
        Repair = $"full resend running: {_resendReason}";
        RecordKey? after = null;
        var records = 0L;
        var bins = 0L;
        while (true)
        {
            var page = await _store.ScanAsync(after, _options.ResendBatchSize, stopping);
            if (page.Count == 0)
            {
                break;
            }

            var keyed = new List<KeyedBin>();
            foreach (var (key, record) in page)
            {
                foreach (var bin in record.Bins)
                {
                    keyed.Add(new KeyedBin(key, bin));
                }
            }

            var outcome = await _client.SendAsync(new ResendBatch(_store.Replica.ToString(), keyed), stopping);
            switch (outcome)
            {
                case ShipOutcome.Acknowledged:
                    break;
                case ShipOutcome.Refused refused:
                    // A chunk the peer will never take (e.g. a bin it calls forged) must not block the rest.
                    Log.LogErrorResendChunkRefused(_logger, Region, page[0].Key.ToString(), page[^1].Key.ToString(), refused.StatusCode, refused.Detail);
                    LastError = $"resend chunk {page[0].Key}..{page[^1].Key} refused with HTTP {refused.StatusCode}: {refused.Detail}";
                    break;
                default:
                    await FailAsync(outcome is ShipOutcome.Failed f ? f.Detail : outcome.ToString()!, null, stopping);
                    return false;
            }

            records += page.Count;
            bins += keyed.Count;
            _metrics.Resent(Region, keyed.Count);
            after = page[^1].Key;
        }

        Log.LogInformationResendFinished(_logger, Region, records, bins);
        Repair = $"full resend finished at {_time.GetUtcNow():O}: {records} record(s), {bins} bin(s) ({_resendReason})";
        Succeeded();
        return true;
    }

    private void Succeeded()
    {
        if (_backoff.Attempt > 0)
        {
            Log.LogInformationShipRecovered(_logger, Region, _backoff.Attempt);
        }

        _backoff.Reset();
        LastError = null;
    }

    private async Task FailAsync(string error, Exception? exception, CancellationToken stopping)
    {
        LastError = error;
        _metrics.Failed(Region);
        var delay = _backoff.Next();
        if (_backoff.Attempt <= 3)
        {
            Log.LogWarningShipFailed(_logger, exception, Region, _backoff.Attempt, delay.TotalMilliseconds, error);
        }
        else
        {
            Log.LogDebugShipFailed(_logger, exception, Region, _backoff.Attempt, delay.TotalMilliseconds, error);
        }

        try
        {
            await RefreshBacklogAsync(stopping);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The store is failing too; the status shows the last known backlog.
        }

        await Task.Delay(delay, _time, stopping);
    }

    /// <summary>Recomputes the backlog and the acceptance time of the oldest unacknowledged bin.</summary>
    public async Task<BacklogSnapshot> RefreshBacklogAsync(CancellationToken cancellationToken)
    {
        _backlogRefreshedAt = _time.GetUtcNow();
        var checkpoint = Checkpoint;
        var last = await _store.GetLastSequenceAsync(cancellationToken);
        var backlog = Math.Max(0, last - checkpoint);
        DateTimeOffset? oldest = null;
        if (backlog > 0)
        {
            var next = await _store.ReadChangesAsync(checkpoint, 1, cancellationToken);
            oldest = next.Count > 0 ? next[0].Bin.WrittenAt : null;
        }

        var snapshot = new BacklogSnapshot(backlog, oldest);
        _backlog = snapshot;
        return snapshot;
    }

    /// <summary>Unacknowledged bins and the acceptance time of the oldest of them (null when none).</summary>
    public sealed record BacklogSnapshot(long Backlog, DateTimeOffset? OldestAt);

    private static int ContiguousPrefix(IReadOnlyList<ChangeEntry> entries, long after)
    {
        var expected = after + 1;
        var count = 0;
        foreach (var entry in entries)
        {
            if (entry.Sequence != expected)
            {
                break;
            }

            count++;
            expected++;
        }

        return count;
    }
}
