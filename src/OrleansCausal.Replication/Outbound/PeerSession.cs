using Microsoft.Extensions.Logging;
using OrleansCausal.Replication.Hosting;
using OrleansCausal.Replication.Wire;
using OrleansCausal.Storage;

namespace OrleansCausal.Replication.Outbound;

/// <summary>
/// This region's conversation with one peer region: ships what the <see cref="FeedReader"/> yields, in order and at
/// least once, with up to <see cref="ReplicationOptions.MaxBatchesInFlight"/> batches on the wire
/// (<see cref="InFlightBatches"/>), and hands their acknowledgements, in order, to the <see cref="CheckpointWriter"/>;
/// sends a heartbeat when idle; rewinds
/// on a 409 to the position the peer names; runs a <see cref="FullResend"/> for a new peer, a peer that lost its
/// store, or on request; backs off exponentially with jitter on failure and never gives up (the backlog waits in
/// the feed). Wakes as soon as a local change commits (<see cref="Wake"/>).
/// </summary>
public sealed class PeerSession
{
    private static readonly TimeSpan GaugeRefreshInterval = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan HoleRetryDelay = TimeSpan.FromMilliseconds(20);

    private readonly PeerConfiguration _peer;
    private readonly IRecordStore _store;
    private readonly PeerClient _client;
    private readonly FeedReader _feed;
    private readonly CheckpointWriter _checkpoint;
    private readonly FullResend _resend;
    private readonly ReplicationOptions _options;
    private readonly ReplicationMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private const string NewPeerReason = "a new peer: it has acknowledged nothing yet";

    private readonly AsyncSignal _wake = new();
    private readonly InFlightBatches _inFlight;
    private readonly ExponentialBackoff _backoff;
    private volatile string? _resendReason;
    /// <summary>After a full resend that repaired a pruned feed: the sequence the peer's position must skip to.</summary>
    private long? _skipTo;
    private DateTimeOffset _lastContactAt = DateTimeOffset.MinValue;
    private DateTimeOffset _backlogRefreshedAt = DateTimeOffset.MinValue;
    private BacklogSnapshot _backlog = new(0, null);

    public PeerSession(PeerConfiguration peer, IRecordStore store, PeerClient client, ReplicationOptions options, ReplicationMetrics metrics,
        TimeProvider time, ILogger logger)
    {
        _peer = peer;
        _store = store;
        _client = client;
        _options = options;
        _metrics = metrics;
        _time = time;
        _logger = logger;
        _feed = new FeedReader(Region, store, options, time, logger);
        _checkpoint = new CheckpointWriter(store, CheckpointNameOf(Region));
        _resend = new FullResend(Region, store, client, options, metrics, logger);
        _backoff = new ExponentialBackoff(options.InitialBackoff, options.MaxBackoff);
        _inFlight = new InFlightBatches(options.MaxBatchesInFlight);
    }

    public string Region => _peer.Region.Value;

    public IReadOnlyList<Uri> Endpoints => _peer.Endpoints;

    /// <summary>The durable checkpoint of a peer: the highest sequence it acknowledged.</summary>
    public static string CheckpointNameOf(string region) => $"peer:{region}";

    /// <summary>Set (1) once a peer is no longer new to this region: it received the full resend
    /// <see cref="ReplicationOptions.ResendToNewPeers"/> asks for, or there was nothing to send it. Without it, a region
    /// whose own feed is empty (it never wrote) keeps the peer's checkpoint at 0 and would resend everything it holds
    /// at every start.</summary>
    public static string KnownPeerMarkOf(string region) => $"known-peer:{region}";

    /// <summary>The highest sequence the peer acknowledged (as last known here).</summary>
    public long Checkpoint => _checkpoint.Acknowledged;

    public string? LastError { get; private set; }

    /// <summary>The full resend: null when none was needed, otherwise what it is doing or did and why.</summary>
    public string? Repair { get; private set; }

    /// <summary>Backlog as last computed (for metrics gauges, which must not do I/O).</summary>
    public long LastKnownBacklog => _backlog.Backlog;

    /// <summary>Acceptance time of the oldest unacknowledged bin, as last computed.</summary>
    public DateTimeOffset? OldestUnacknowledgedAt => _backlog.OldestAt;

    public void Wake() => _wake.Set();

    public void RequestResend() => ScheduleResend("requested by an operator");

    /// <summary>Reads the durable checkpoint and decides on a first full resend. Called once before <see cref="RunAsync"/>.</summary>
    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        await _checkpoint.LoadAsync(cancellationToken);
        if (Checkpoint == 0 && _options.ResendToNewPeers && await _store.GetCheckpointAsync(KnownPeerMarkOf(Region), cancellationToken) == 0)
        {
            if ((await _store.ScanAsync(null, 1, cancellationToken)).Count > 0)
            {
                Log.LogInformationNewPeerResend(_logger, Region);
                ScheduleResend(NewPeerReason);
            }
            else
            {
                // Nothing to send: from now on everything reaches the peer through the feed.
                await _store.SaveCheckpointAsync(KnownPeerMarkOf(Region), 1, cancellationToken);
            }
        }

        await RefreshBacklogAsync(cancellationToken);
    }

    public async Task RunAsync(CancellationToken stopping)
    {
        Log.LogInformationShipperStarted(_logger, Region, string.Join(", ", _peer.Endpoints));
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                if ((_resendReason is not null || _skipTo is not null) && _inFlight.Count > 0)
                {
                    // A repair starts from the checkpoint: first settle what is in flight.
                    await CompleteOldestAsync(stopping);
                }
                else if (_resendReason is not null)
                {
                    await ResendAsync(stopping);
                }
                else if (_skipTo is { } skipTo)
                {
                    await SkipPrunedAsync(skipTo, stopping);
                }
                else if (!await ShipNextBatchAsync(stopping))
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

        await AbandonInFlightAsync();
    }

    /// <summary>After the loop ended: makes the acknowledged checkpoint durable.</summary>
    public Task StopAsync(CancellationToken cancellationToken) => _checkpoint.FlushAsync(cancellationToken);

    /// <summary>Recomputes the backlog and the acceptance time of the oldest unacknowledged bin.</summary>
    public async Task<BacklogSnapshot> RefreshBacklogAsync(CancellationToken cancellationToken)
    {
        _backlogRefreshedAt = _time.GetUtcNow();
        var checkpoint = Checkpoint;
        var backlog = Math.Max(0, await _store.GetLastSequenceAsync(cancellationToken) - checkpoint);
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

    private void ScheduleResend(string reason)
    {
        Repair = $"full resend scheduled: {reason}";
        _resendReason = reason;
        _wake.Set();
    }

    /// <summary>
    /// One step of shipping the feed, with up to <see cref="ReplicationOptions.MaxBatchesInFlight"/> batches in flight:
    /// sends the next batch while there is room and the feed holds one, otherwise takes the oldest batch's answer.
    /// False when there was nothing to ship and nothing in flight (the caller waits for a wake-up).
    /// </summary>
    private async Task<bool> ShipNextBatchAsync(CancellationToken stopping)
    {
        if (_inFlight.HasRoom)
        {
            var after = _inFlight.NextAfter(Checkpoint);
            var page = await _feed.ReadAsync(after, stopping);
            if (page is { MissingThrough: null, Entries.Count: > 0 })
            {
                Send(after, page.Entries, stopping);
                return true;
            }

            if (_inFlight.Count == 0)
            {
                return await NothingToSendAsync(after, page, stopping);
            }

            if (page?.MissingThrough is not null)
            {
                // The hole starts after the batches in flight: settle them, then repair from the checkpoint.
                while (_inFlight.Count > 0)
                {
                    await CompleteOldestAsync(stopping);
                }

                return Checkpoint != after || await NothingToSendAsync(after, page, stopping);
            }
        }

        await CompleteOldestAsync(stopping);
        return true;
    }

    /// <summary>Sends the batch of <paramref name="entries"/> (the feed after <paramref name="after"/>) without waiting
    /// for the answer, and starts reading the page after it.</summary>
    private void Send(long after, IReadOnlyList<ChangeEntry> entries, CancellationToken stopping)
    {
        var through = entries[^1].Sequence;
        var batch = new ReplicationBatch(_store.Replica.ToString(), after, through, entries.Select(static e => new KeyedBin(e.Key, e.Bin)).ToList());
        var predecessorAcknowledged = after == Checkpoint;
        _inFlight.Add(new SentBatch(after, through, entries.Count, entries[0].Bin.WrittenAt, predecessorAcknowledged, _client.SendAsync(batch, stopping)));
        _feed.Prefetch(through, stopping);
    }

    /// <summary>With nothing in flight and no batch to send: waits for a hole to fill, schedules the repair of a pruned
    /// feed, or (caught up) sends a heartbeat when due. False when caught up.</summary>
    private async Task<bool> NothingToSendAsync(long after, FeedPage? page, CancellationToken stopping)
    {
        if (page is null)
        {
            await Task.Delay(HoleRetryDelay, _time, stopping);
            return true;
        }

        if (page.MissingThrough is { } missing)
        {
            // Shipping past the hole would lose those bins for the peer: a full resend carries every record as it is
            // now (those bins, or what superseded them), then the peer's position skips the hole.
            _skipTo = missing;
            ScheduleResend($"the change feed no longer holds sequences {after + 1}..{missing}, which the peer has not acknowledged (pruned while it was behind)");
            return true;
        }

        _backlog = new BacklogSnapshot(0, null);
        if (_time.GetUtcNow() - _lastContactAt >= _options.HeartbeatInterval)
        {
            await HeartbeatAsync(after, stopping);
        }

        return false;
    }

    /// <summary>Takes the answer to the oldest batch in flight. Acknowledged: the checkpoint moves through it. Anything
    /// else: the batches sent after it are abandoned and the answer is handled (rewind to where the peer is, or back
    /// off and retry from the checkpoint).</summary>
    private async Task CompleteOldestAsync(CancellationToken stopping)
    {
        var sent = _inFlight.TakeOldest();
        ShipOutcome outcome;
        try
        {
            outcome = await sent.Outcome;
        }
        catch (Exception)
        {
            await AbandonInFlightAsync();
            throw;
        }

        if (outcome is ShipOutcome.Acknowledged)
        {
            _lastContactAt = _time.GetUtcNow();
            _checkpoint.Advance(sent.Through, stopping);
            _metrics.Shipped(Region, sent.Bins, _time.GetUtcNow() - sent.OldestWrittenAt);
            Log.LogDebugBatchShipped(_logger, Region, sent.After, sent.Through, sent.Bins);
            Succeeded();
            if (_time.GetUtcNow() - _backlogRefreshedAt >= GaugeRefreshInterval)
            {
                // For the metric gauges only; the status recomputes on every call.
                await RefreshBacklogAsync(stopping);
            }

            return;
        }

        // The later batches continue this one: whatever the peer answers them, shipping resumes from the checkpoint.
        await AbandonInFlightAsync();
        if (outcome is ShipOutcome.Gap && !sent.PredecessorAcknowledged)
        {
            // Sent before the batch before it was acknowledged, and refused maybe before that one was applied (it
            // arrived late, after the receiver's reorder wait): the peer holds at least the checkpoint it has since
            // acknowledged. Sending again from there gets an answer that is not stale; no rewind.
            Log.LogDebugStaleGap(_logger, Region, sent.After, ((ShipOutcome.Gap)outcome).ExpectedAfter);
            return;
        }

        switch (outcome)
        {
            case ShipOutcome.Gap gap:
                await RewindAsync(gap.ExpectedAfter, stopping);
                break;

            case ShipOutcome.Refused refused:
                await FailAsync($"peer refused batch ({sent.After}, {sent.Through}] with HTTP {refused.StatusCode}: {refused.Detail}", null, stopping);
                break;

            case ShipOutcome.Failed failed:
                await FailAsync(failed.Detail, null, stopping);
                break;

            default:
                throw new InvalidOperationException($"Unhandled outcome {outcome}.");
        }
    }

    private async Task AbandonInFlightAsync()
    {
        await _inFlight.AbandonAsync();
        _feed.Reset();
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
        if (expectedAfter == 0 && current > 0 && _resendReason is null)
        {
            // The peer has applied nothing of ours although it had acknowledged up to `current`: its store was
            // rebuilt. Our feed is not all it lost (bins of other regions we hold, its own old bins): resend all.
            Log.LogWarningPeerLostState(_logger, Region, current);
            ScheduleResend($"the peer had acknowledged through {current} but now reports nothing applied (its store was rebuilt)");
        }

        _feed.Reset();
        await _checkpoint.RewindAsync(expectedAfter, stopping);
        await RefreshBacklogAsync(stopping);
    }

    /// <summary>After the full resend that repaired a pruned feed: an empty batch covering the hole moves the peer's
    /// position past it (safe: the resend delivered every record whole, DESIGN.md invariant 5).</summary>
    private async Task SkipPrunedAsync(long skipTo, CancellationToken stopping)
    {
        var after = Checkpoint;
        if (skipTo <= after)
        {
            _skipTo = null;
            return;
        }

        var outcome = await _client.SendAsync(new ReplicationBatch(_store.Replica.ToString(), after, skipTo, []), stopping);
        switch (outcome)
        {
            case ShipOutcome.Acknowledged:
                _skipTo = null;
                _checkpoint.Advance(skipTo, stopping);
                Succeeded();
                break;
            case ShipOutcome.Gap gap:
                await RewindAsync(gap.ExpectedAfter, stopping);
                break;
            case ShipOutcome.Refused refused:
                await FailAsync($"peer refused to skip the pruned feed ({after}, {skipTo}] with HTTP {refused.StatusCode}: {refused.Detail}", null, stopping);
                break;
            case ShipOutcome.Failed failed:
                await FailAsync(failed.Detail, null, stopping);
                break;
        }
    }

    private async Task ResendAsync(CancellationToken stopping)
    {
        var reason = _resendReason;
        Repair = $"full resend running: {reason}";
        // Read before the first record: the resend then carries every bin of the feed through `last`, or what
        // superseded it, so the peer's position may skip to it. Besides saving a second pass, this keeps a new region
        // from receiving, from the feed, an old bin whose covering tombstone the garbage collector has purged (the
        // resend carries the records as they are now, the feed would carry the bin as it was).
        var last = await _store.GetLastSequenceAsync(stopping);
        var result = await _resend.RunAsync(stopping);
        if (result.Failure is not null)
        {
            Repair = $"full resend interrupted after {result.Records} record(s), retrying: {reason}";
            await FailAsync(result.Failure, null, stopping);
            return;
        }

        _resendReason = null;
        if (last > Checkpoint && result.RefusedChunk is null)
        {
            _skipTo = Math.Max(_skipTo ?? 0, last);
        }

        if (result.RefusedChunk is null)
        {
            await _store.SaveCheckpointAsync(KnownPeerMarkOf(Region), 1, stopping);
        }

        Repair = $"full resend finished at {_time.GetUtcNow():O}: {result.Records} record(s), {result.Bins} bin(s) ({reason})";
        Succeeded();
        LastError = result.RefusedChunk;
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
}
