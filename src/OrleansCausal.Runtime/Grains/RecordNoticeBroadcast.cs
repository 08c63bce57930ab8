using Microsoft.Extensions.Logging;
using OrleansCausal.Runtime.Diagnostics;
using OrleansCausal.Storage;

namespace OrleansCausal.Runtime.Grains;

/// <summary>
/// Tells every other active silo of the region which records a merge changed, and to which versions, and waits for
/// them: one <see cref="IRecordNoticeGrain"/> call per silo. The replicator calls it after a batch is durable and
/// before acknowledging it, so that afterwards a read on any silo of the region shows the batch (the store's own
/// notices — LISTEN/NOTIFY with PostgreSQL — arrive later and are only the safety net). This silo learned of the merge
/// from its store already. A silo that does not answer within <paramref name="timeout"/> is logged and skipped: it
/// is leaving the cluster, or it catches up from the store's notices and <c>Actors:MaxCacheAge</c>.
/// </summary>
public sealed class RecordNoticeBroadcast(IClusterMembershipService membership, ILocalSiloDetails local, IGrainFactory grains, ILogger<RecordNoticeBroadcast> logger)
    : IRecordNoticeBroadcast
{
    public async Task NotifyOtherSilosAsync(MergeResult merge, TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (merge.ChangedKeys.Count == 0 || merge.ChangedVersions.Count != merge.ChangedKeys.Count)
        {
            return;
        }

        var others = membership.CurrentSnapshot.Members.Values
            .Where(m => m.Status == SiloStatus.Active && !m.SiloAddress.Equals(local.SiloAddress))
            .Select(m => m.SiloAddress)
            .ToList();
        if (others.Count == 0)
        {
            return;
        }

        var changes = new RecordVersions([.. merge.ChangedKeys.Select(RecordGrainKey.Format)], [.. merge.ChangedVersions]);
        await Task.WhenAll(others.Select(async silo =>
        {
            try
            {
                await grains.GetGrain<IRecordNoticeGrain>(silo.ToParsableString()).NoticeAsync(changes).WaitAsync(timeout, cancellationToken);
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                RuntimeLog.LogWarningNoticeNotDelivered(logger, silo.ToString(), changes.Keys.Length, e.Message);
            }
        }));
    }
}

/// <summary>Tells the region's other silos which records a merge changed (see <see cref="RecordNoticeBroadcast"/>).</summary>
public interface IRecordNoticeBroadcast
{
    Task NotifyOtherSilosAsync(MergeResult merge, TimeSpan timeout, CancellationToken cancellationToken);
}
