using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using OrleansCausal.Replication.Hosting;
using OrleansCausal.Replication.Wire;
using OrleansCausal.Runtime.Grains;
using OrleansCausal.Storage;

namespace OrleansCausal.Replication.Inbound;

/// <summary>
/// Applies authenticated, parsed batches to the local store. A feed batch is accepted only when its
/// <c>after</c> does not skip past the source's applied position (so the source's bins arrive gap-free, DESIGN.md
/// invariant 5); overlaps and duplicates re-apply idempotently. The merge and the new position commit in one
/// transaction. Batches from one source are applied one at a time in this silo, so the position never moves back.
/// The applied position is kept in memory between batches (<see cref="InboundSource"/>: a lower bound of the durable
/// one), so the store is read only for a batch that seems to skip ahead — which is then refused only if the store
/// agrees. A sender keeps several batches in flight (<see cref="ReplicationOptions.MaxBatchesInFlight"/>), and they
/// may arrive out of order: a batch with bins that starts past the applied position first waits up to
/// <see cref="ReplicationOptions.ReorderWait"/> for the batches before it.
/// Before the acknowledgement, the record grains of this silo have learned of the change from the store's RecordChanged
/// event (with the record's new version) and those of the region's other silos from a <see cref="RecordNoticeBroadcast"/>,
/// so that once acknowledged, a read on any silo of the region shows the batch.
/// </summary>
public sealed class InboundBatchApplier(IRecordStore store, IRecordNoticeBroadcast notices, ReplicationSettings settings, ReplicationMetrics metrics,
    TimeProvider time, ILogger<InboundBatchApplier> logger)
{
    private readonly ConcurrentDictionary<string, InboundSource> _sources = new(StringComparer.Ordinal);

    public async Task<InboundResult> ApplyAsync(ReplicationBatch batch, CancellationToken cancellationToken)
    {
        if (string.Equals(batch.Source, store.Replica.ToString(), StringComparison.Ordinal))
        {
            return new InboundResult.Invalid($"The batch comes from this store's own replica {batch.Source}; a region does not replicate to itself.");
        }

        // Child of the request's span, which continues the sender's trace (traceparent in the batch request).
        using var activity = ReplicationTracing.StartApply(batch.Source, batch.Bins.Count);
        var source = _sources.GetOrAdd(batch.Source, static name => new InboundSource(name));
        var waitUntil = time.GetUtcNow() + settings.Options.ReorderWait;
        while (true)
        {
            Task advanced;
            TimeSpan remaining;
            await source.EnterAsync(cancellationToken);
            try
            {
                // A heartbeat reads the store: it is how a sender learns that this region lost what it had applied.
                var applied = await source.AppliedAsync(store, batch.After, fromStore: batch.Bins.Count == 0, cancellationToken);
                if (batch.After <= applied)
                {
                    return await ApplyInOrderAsync(batch, source, applied, cancellationToken);
                }

                remaining = waitUntil - time.GetUtcNow();
                if (batch.Bins.Count == 0 || remaining <= TimeSpan.Zero)
                {
                    metrics.GapRefused(batch.Source);
                    Log.LogInformationGapRefused(logger, batch.Source, batch.After, batch.Through, applied);
                    return new InboundResult.Gap(applied, batch.After);
                }

                advanced = source.Advanced;
            }
            finally
            {
                source.Leave();
            }

            // The batches before this one may still be on their way: wait for the position to move, then look again.
            // A timeout ends the wait like an advance does (the loop then refuses the gap); a cancellation is thrown below.
            await advanced.WaitAsync(remaining, time, cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            cancellationToken.ThrowIfCancellationRequested();
        }
    }

    /// <summary>The acknowledgement of an empty batch, with this region's replica, feed head and applied positions.</summary>
    public async Task<BatchAcknowledgement> AcknowledgeWithReportAsync(InboundResult.Applied applied, CancellationToken cancellationToken) =>
        new(applied.Added, applied.AppliedThrough)
        {
            Replica = store.Replica.ToString(),
            Head = await store.GetLastSequenceAsync(cancellationToken),
            Applied = await store.GetInboundPositionsAsync(cancellationToken),
        };

    public async Task<InboundResult> ApplyResendAsync(ResendBatch batch, CancellationToken cancellationToken)
    {
        using var activity = ReplicationTracing.StartApply(batch.Source, batch.Bins.Count);
        var result = await MergeAsync(batch.Bins, position: null, batch.Source, cancellationToken);
        if (result is InboundResult.Applied applied)
        {
            metrics.ResendApplied(batch.Source, batch.Bins.Count, applied.Added);
            Log.LogDebugResendApplied(logger, batch.Source, batch.Bins.Count, applied.Added);
        }

        return result;
    }

    /// <summary>Applies a batch that does not skip past <paramref name="applied"/>; called under the source's gate.</summary>
    private async Task<InboundResult> ApplyInOrderAsync(ReplicationBatch batch, InboundSource source, long applied, CancellationToken cancellationToken)
    {
        if (batch.Bins.Count == 0 && batch.Through <= applied)
        {
            // A heartbeat (or an empty duplicate): nothing to write.
            return new InboundResult.Applied(0, applied);
        }

        var position = new InboundPosition(batch.Source, Math.Max(applied, batch.Through));
        var result = await MergeAsync(batch.Bins, position, batch.Source, cancellationToken);
        if (result is InboundResult.Applied merged)
        {
            source.Committed(position.AppliedThrough);
            metrics.BatchApplied(batch.Source, batch.Bins.Count, merged.Added);
            Log.LogDebugBatchApplied(logger, batch.Source, batch.After, batch.Through, batch.Bins.Count, merged.Added);
        }

        return result;
    }

    private async Task<InboundResult> MergeAsync(IReadOnlyList<KeyedBin> bins, InboundPosition? position, string source, CancellationToken cancellationToken)
    {
        try
        {
            var merged = await store.MergeAsync(bins, position, cancellationToken);
            // Durable now; before the acknowledgement, every other silo of the region learns which records changed.
            await notices.NotifyOtherSilosAsync(merged, settings.Options.RequestTimeout / 2, cancellationToken);
            return new InboundResult.Applied(merged.Added, position?.AppliedThrough ?? 0);
        }
        catch (ForgedDotException e)
        {
            metrics.Refused(source, "forged");
            Log.LogWarningForgedDot(logger, source, e.Key.ToString(), e.Dot.ToString());
            return new InboundResult.Forged(e.Message);
        }
    }
}
