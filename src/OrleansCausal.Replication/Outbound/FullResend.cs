using Microsoft.Extensions.Logging;
using OrleansCausal.Replication.Hosting;
using OrleansCausal.Replication.Wire;
using OrleansCausal.Storage;

namespace OrleansCausal.Replication.Outbound;

/// <summary>
/// Sends every record of the store to one peer, chunk by chunk (a record's bins always in one chunk). Safe at any
/// time: merge is idempotent. A chunk the peer refuses (e.g. a bin it calls forged) is logged and skipped so it does
/// not block the rest; any other failure ends the run, to be retried from the start after a backoff.
/// </summary>
public sealed class FullResend(string peer, IRecordStore store, PeerClient client, ReplicationOptions options, ReplicationMetrics metrics, ILogger logger)
{
    /// <summary>The outcome of one run: <see cref="Failure"/> null when every chunk was answered.</summary>
    public sealed record Result(long Records, long Bins, string? Failure, string? RefusedChunk);

    public async Task<Result> RunAsync(CancellationToken cancellationToken)
    {
        Log.LogInformationResendStarted(logger, peer);
        RecordKey? after = null;
        var records = 0L;
        var bins = 0L;
        string? refusedChunk = null;
        while (true)
        {
            var page = await store.ScanAsync(after, options.ResendBatchSize, cancellationToken);
            if (page.Count == 0)
            {
                break;
            }

            var keyed = new List<KeyedBin>();
            foreach (var (key, record) in page)
            {
                // The record's remembered operations travel with its first bin: a peer that never received a
                // superseded bin still learns which operation it carried (and so that the operation was overwritten).
                var operations = record.Operations;
                foreach (var bin in record.Bins)
                {
                    keyed.Add(new KeyedBin(key, bin) { Operations = operations });
                    operations = [];
                }
            }

            var outcome = await client.SendAsync(new ResendBatch(store.Replica.ToString(), keyed), cancellationToken);
            switch (outcome)
            {
                case ShipOutcome.Acknowledged:
                    break;
                case ShipOutcome.Refused refused:
                    Log.LogErrorResendChunkRefused(logger, peer, page[0].Key.ToString(), page[^1].Key.ToString(), refused.StatusCode, refused.Detail);
                    refusedChunk = $"resend chunk {page[0].Key}..{page[^1].Key} refused with HTTP {refused.StatusCode}: {refused.Detail}";
                    break;
                default:
                    return new Result(records, bins, outcome is ShipOutcome.Failed f ? f.Detail : outcome.ToString(), refusedChunk);
            }

            records += page.Count;
            bins += keyed.Count;
            metrics.Resent(peer, keyed.Count);
            after = page[^1].Key;
        }

        Log.LogInformationResendFinished(logger, peer, records, bins);
        return new Result(records, bins, null, refusedChunk);
    }
}
