using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrleansCausal.Replication.Outbound;
using OrleansCausal.Runtime.Storage;
using OrleansCausal.Storage;

namespace OrleansCausal.Replication.Collection;

/// <summary>
/// One garbage-collection round (README "Bounded storage" has the safety argument):
/// <list type="number">
/// <item>Feed compaction: own change-feed entries at or below the lowest sequence every current peer has
/// acknowledged (its durable checkpoint), minus <see cref="StorageOptions.FeedRetention"/>, are deleted. A removed
/// peer no longer counts; an unreachable one does.</item>
/// <item>Purge: the records holding tombstones are read first; then the feed head of every member region is learned
/// (this region's from its store, each peer's from a probe answered after the read); once every member has applied
/// every origin's feed through those heads, every bin those records ever held or covered has reached every member,
/// and their tombstone bins are dropped (a record left with none is removed) — each record only if it is still
/// exactly as read. Until then the candidates and heads wait for the next round.</item>
/// </list>
/// Rounds in one silo run one at a time; rounds of several silos of one region may overlap safely (compaction is
/// idempotent, a purge is conditional and atomic in the store).
/// </summary>
public sealed class StorageCollector(
    IRecordStore store,
    PeerShipperKeeper keeper,
    MemberProbe probe,
    IOptions<StorageOptions> options,
    ReplicationMetrics metrics,
    TimeProvider time,
    ILogger<StorageCollector> logger)
{
    private const int ScanPageSize = 1000;

    private readonly SemaphoreSlim _gate = new(1, 1);
    private PendingPurge? _pending;

    /// <summary>The last round's outcome (null before the first).</summary>
    public CollectionRound? LastRound { get; private set; }

    public async Task<CollectionRound> RunOnceAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            var peers = keeper.Peers;
            var (compactedThrough, compacted) = await CompactAsync(peers, cancellationToken);
            var purged = 0;
            if (_pending is { } pending)
            {
                // Heads learned in an earlier round: by now they are usually below the cut.
                var (reports, missing) = await probe.ProbeAsync(peers, cancellationToken);
                if (missing is null && StableCut.HeldBackBy(reports, pending.Heads) is null)
                {
                    purged += await PurgeAsync(pending, cancellationToken);
                }

                _pending = null;
            }

            var round = await StartRoundAsync(peers, cancellationToken);
            if (round.HeldBackBy is null && round.Candidates.Count > 0)
            {
                purged += await PurgeAsync(round.Candidates, cancellationToken);
            }
            else if (round.Candidates.Count > 0)
            {
                CollectionLog.LogDebugHeldBack(logger, round.Candidates.Candidates.Count, round.HeldBackBy!);
                _pending = round.Candidates;
            }

            var result = new CollectionRound(time.GetUtcNow(), round.StableCut, round.HeldBackBy, compactedThrough, compacted, purged);
            LastRound = result;
            if (compacted > 0 || purged > 0)
            {
                CollectionLog.LogInformationRound(logger, compacted, compactedThrough, purged, string.Join(", ", round.StableCut.Select(c => $"{c.Key}:{c.Value}")));
            }

            return result;
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task<(long Through, long Compacted)> CompactAsync(IReadOnlyList<Hosting.PeerConfiguration> peers, CancellationToken cancellationToken)
    {
        var acknowledged = await store.GetLastSequenceAsync(cancellationToken);
        foreach (var peer in peers)
        {
            acknowledged = Math.Min(acknowledged, await store.GetCheckpointAsync(PeerSession.CheckpointNameOf(peer.Region.Value), cancellationToken));
        }

        var through = acknowledged - options.Value.FeedRetention;
        if (through <= 0)
        {
            return (0, 0);
        }

        var compacted = await store.CompactFeedAsync(through, cancellationToken);
        metrics.FeedCompacted(compacted);
        return (through, compacted);
    }

    /// <summary>Reads the candidates, then the members' heads, then checks at once whether they are below the cut.</summary>
    private async Task<(PendingPurge Candidates, IReadOnlyDictionary<string, long> StableCut, string? HeldBackBy)> StartRoundAsync(
        IReadOnlyList<Hosting.PeerConfiguration> peers, CancellationToken cancellationToken)
    {
        var candidates = await ScanTombstonesAsync(cancellationToken);
        var (first, missing) = await probe.ProbeAsync(peers, cancellationToken);
        if (missing is not null)
        {
            return (new PendingPurge([], new Dictionary<string, long>()), StableCut.Compute(first), missing);
        }

        var heads = first.ToDictionary(m => m.Replica, m => m.Head, StringComparer.Ordinal);
        var pending = new PendingPurge(candidates, heads);
        var heldBack = StableCut.HeldBackBy(first, heads);
        if (heldBack is null)
        {
            return (pending, StableCut.Compute(first), null);
        }

        // The heads came with the first answers; a second probe usually finds them applied everywhere.
        var (second, stillMissing) = await probe.ProbeAsync(peers, cancellationToken);
        return (pending, StableCut.Compute(second), stillMissing ?? StableCut.HeldBackBy(second, heads));
    }

    private async Task<List<PurgeCandidate>> ScanTombstonesAsync(CancellationToken cancellationToken)
    {
        var candidates = new List<PurgeCandidate>();
        RecordKey? after = null;
        while (candidates.Count < options.Value.MaxPurgePerRound)
        {
            var page = await store.ScanAsync(after, ScanPageSize, cancellationToken);
            foreach (var (key, record) in page)
            {
                if (record.Bins.Any(static b => b.IsTombstone) && candidates.Count < options.Value.MaxPurgePerRound)
                {
                    candidates.Add(new PurgeCandidate(key, record));
                }
            }

            if (page.Count < ScanPageSize)
            {
                break;
            }

            after = page[^1].Key;
        }

        return candidates;
    }

    private async Task<int> PurgeAsync(PendingPurge pending, CancellationToken cancellationToken)
    {
        // A tombstone of a replica that is no member's current incarnation (a removed region, a lost store) may not
        // have reached every member: such a record keeps its tombstones.
        var eligible = pending.Candidates
            .Where(c => c.Record.Bins.Where(static b => b.IsTombstone).All(b => pending.Heads.ContainsKey(b.Dot.Replica.ToString())))
            .ToList();
        var purged = eligible.Count == 0 ? [] : await store.PurgeAsync(eligible, cancellationToken);
        metrics.TombstonesPurged(purged.Count);
        return purged.Count;
    }

    /// <summary>Tombstone-only records read before <see cref="Heads"/> were learned, and those heads (per origin replica).</summary>
    private sealed record PendingPurge(IReadOnlyList<PurgeCandidate> Candidates, IReadOnlyDictionary<string, long> Heads)
    {
        public int Count => Candidates.Count;
    }
}
