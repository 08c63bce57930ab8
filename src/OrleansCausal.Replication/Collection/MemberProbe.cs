using Microsoft.Extensions.Logging;
using OrleansCausal.Replication.Hosting;
using OrleansCausal.Replication.Outbound;
using OrleansCausal.Replication.Wire;
using OrleansCausal.Storage;

namespace OrleansCausal.Replication.Collection;

/// <summary>
/// Asks every current member region what it has applied, now: this region from its store, each peer with an empty
/// batch (position 0, so it is never a gap) whose acknowledgement carries the peer's report. A report is fresh — made
/// after the call started — which the purge relies on. An unreachable peer, or one whose build does not report, gives
/// no report: the caller holds back.
/// </summary>
public sealed class MemberProbe(IRecordStore store, ReplicationSettings settings, IHttpClientFactory httpClients, TimeProvider time, ILogger<MemberProbe> logger)
{
    /// <summary>Every member's report, or the reason one is missing.</summary>
    public async Task<(IReadOnlyList<MemberReport> Reports, string? Missing)> ProbeAsync(IReadOnlyList<PeerConfiguration> peers, CancellationToken cancellationToken)
    {
        var own = new MemberReport(settings.Region.Value, store.Replica.ToString(),
            await store.GetLastSequenceAsync(cancellationToken), await store.GetInboundPositionsAsync(cancellationToken));
        var answers = await Task.WhenAll(peers.Select(peer => AskAsync(peer, cancellationToken)));
        var missing = answers.Where(a => a.Report is null).Select(a => a.Missing).FirstOrDefault();
        return ([own, .. answers.Where(a => a.Report is not null).Select(a => a.Report!)], missing);
    }

    private async Task<(MemberReport? Report, string? Missing)> AskAsync(PeerConfiguration peer, CancellationToken cancellationToken)
    {
        using var http = httpClients.CreateClient(PeerShipperFactory.HttpClientName);
        http.Timeout = settings.Options.RequestTimeout;
        var signer = settings.IsAuthenticated ? new RequestSigner(settings.Options.Secret!) : null;
        var client = new PeerClient(peer, http, signer, time, logger);
        var outcome = await client.SendAsync(new ReplicationBatch(store.Replica.ToString(), 0, 0, []), cancellationToken);
        return outcome switch
        {
            ShipOutcome.Acknowledged { Answer: { Replica: { } replica, Head: { } head, Applied: { } applied } } =>
                (new MemberReport(peer.Region.Value, replica, head, applied), null),
            ShipOutcome.Acknowledged => (null, $"region {peer.Region} does not report what it has applied (an older build)"),
            ShipOutcome.Failed failed => (null, $"region {peer.Region} is unreachable: {failed.Detail}"),
            ShipOutcome.Refused refused => (null, $"region {peer.Region} refused the probe with HTTP {refused.StatusCode}: {refused.Detail}"),
            _ => (null, $"region {peer.Region} answered the probe with {outcome}"),
        };
    }
}
