using Microsoft.Extensions.Logging;

namespace OrleansCausal.Replication;

/// <summary>Source-generated log messages of the replicator. Routine per-batch events are Debug; rewinds,
/// refusals and failures Warning; lost-work risks Error.</summary>
internal static partial class Log
{
    // Service
    [LoggerMessage(1000, LogLevel.Information, "Replication for region {Region} (replica {Replica}) ships to {PeerCount} peer(s): {Peers}")]
    public static partial void LogInformationReplicationStarted(ILogger logger, string region, string replica, int peerCount, string peers);

    [LoggerMessage(1001, LogLevel.Warning, "Replication:Secret is not set: replication with the loopback peer(s) {Peers} runs unauthenticated, and this silo accepts replication requests from loopback callers only. Set the same Replication:Secret in every region for any real deployment.")]
    public static partial void LogWarningReplicationUnauthenticated(ILogger logger, string peers);

    [LoggerMessage(1002, LogLevel.Information, "Peer region {Region} added")]
    public static partial void LogInformationPeerAdded(ILogger logger, string region);

    [LoggerMessage(1003, LogLevel.Warning, "Peer region {Region} removed from configuration; shipping stopped with {Backlog} bin(s) it had not acknowledged (acknowledged through {Checkpoint})")]
    public static partial void LogWarningPeerRemoved(ILogger logger, string region, long backlog, long checkpoint);

    [LoggerMessage(1004, LogLevel.Error, "Applying changed replication configuration failed; peers stay as they were: {Reason}")]
    public static partial void LogErrorReconfigurationFailed(ILogger logger, Exception exception, string reason);

    [LoggerMessage(1005, LogLevel.Debug, "The shipper for peer {Region} could not be reached (tried again at the next keep-alive): {Reason}")]
    public static partial void LogDebugShipperUnreachable(ILogger logger, string region, string reason);

    // Outbound
    [LoggerMessage(1100, LogLevel.Information, "Shipper for peer {Region} started (endpoints {Endpoints})")]
    public static partial void LogInformationShipperStarted(ILogger logger, string region, string endpoints);

    [LoggerMessage(1101, LogLevel.Information, "Peer {Region} has acknowledged nothing yet and this store holds records: a full resend comes first")]
    public static partial void LogInformationNewPeerResend(ILogger logger, string region);

    [LoggerMessage(1102, LogLevel.Information, "Shipper for peer {Region} activated on silo {Silo}; shipping resumes after checkpoint {Checkpoint}")]
    public static partial void LogInformationShipperActivated(ILogger logger, string region, string silo, long checkpoint);

    [LoggerMessage(1103, LogLevel.Warning, "The change feed shows no sequence {After}+1 for peer {Region} after waiting (pruned while the peer was behind?); repairing it with a full resend, then shipping on from {Next}")]
    public static partial void LogWarningFeedHole(ILogger logger, string region, long after, long next);

    [LoggerMessage(1104, LogLevel.Debug, "Peer {Region} acknowledged ({After}, {Through}], {Count} bin(s)")]
    public static partial void LogDebugBatchShipped(ILogger logger, string region, long after, long through, int count);

    [LoggerMessage(1105, LogLevel.Warning, "Peer {Region} reports a gap: we were at {Checkpoint}, it has applied through {ExpectedAfter}; rewinding")]
    public static partial void LogWarningRewind(ILogger logger, string region, long checkpoint, long expectedAfter);

    [LoggerMessage(1114, LogLevel.Debug, "Peer {Region} refused the batch after {After} as a gap at {ExpectedAfter} before the batch ahead of it was acknowledged (it had not arrived yet); sending again from the checkpoint")]
    public static partial void LogDebugStaleGap(ILogger logger, string region, long after, long expectedAfter);

    [LoggerMessage(1106, LogLevel.Warning, "Peer {Region} had acknowledged through {Checkpoint} but now reports nothing applied (its store was rebuilt?): scheduling a full resend")]
    public static partial void LogWarningPeerLostState(ILogger logger, string region, long checkpoint);

    [LoggerMessage(1107, LogLevel.Information, "Full resend to peer {Region} started")]
    public static partial void LogInformationResendStarted(ILogger logger, string region);

    [LoggerMessage(1108, LogLevel.Information, "Full resend to peer {Region} finished: {Records} record(s), {Bins} bin(s)")]
    public static partial void LogInformationResendFinished(ILogger logger, string region, long records, long bins);

    [LoggerMessage(1109, LogLevel.Error, "Peer {Region} refused resend chunk {First}..{Last} with HTTP {Status}: {Detail}; continuing with the next chunk")]
    public static partial void LogErrorResendChunkRefused(ILogger logger, string region, string first, string last, int status, string detail);

    [LoggerMessage(1110, LogLevel.Warning, "Shipping to peer {Region} failed (attempt {Attempt}, next try in {DelayMs:F0} ms): {Error}")]
    public static partial void LogWarningShipFailed(ILogger logger, Exception? exception, string region, int attempt, double delayMs, string error);

    [LoggerMessage(1111, LogLevel.Debug, "Shipping to peer {Region} failed (attempt {Attempt}, next try in {DelayMs:F0} ms): {Error}")]
    public static partial void LogDebugShipFailed(ILogger logger, Exception? exception, string region, int attempt, double delayMs, string error);

    [LoggerMessage(1112, LogLevel.Debug, "Peer {Region} endpoint {Endpoint} failed: {Failure}")]
    public static partial void LogDebugEndpointFailed(ILogger logger, string region, string endpoint, string? failure);

    [LoggerMessage(1113, LogLevel.Information, "Shipping to peer {Region} recovered after {Attempts} failed attempt(s)")]
    public static partial void LogInformationShipRecovered(ILogger logger, string region, int attempts);

    // Inbound
    [LoggerMessage(1200, LogLevel.Information, "Refused batch ({After}, {Through}] from {Source}: applied only through {Applied}; the sender must rewind")]
    public static partial void LogInformationGapRefused(ILogger logger, string source, long after, long through, long applied);

    [LoggerMessage(1201, LogLevel.Debug, "Applied batch ({After}, {Through}] from {Source}: {Count} bin(s), {Added} new")]
    public static partial void LogDebugBatchApplied(ILogger logger, string source, long after, long through, int count, int added);

    [LoggerMessage(1202, LogLevel.Debug, "Applied resend chunk from {Source}: {Count} bin(s), {Added} new")]
    public static partial void LogDebugResendApplied(ILogger logger, string source, int count, int added);

    [LoggerMessage(1203, LogLevel.Warning, "Refused a batch from {Source}: record {Key} carries bin {Dot} under this store's own replica that it never issued")]
    public static partial void LogWarningForgedDot(ILogger logger, string source, string key, string dot);

    [LoggerMessage(1204, LogLevel.Warning, "Refused an unauthenticated replication request from {Remote} to {Path}: {Reason}")]
    public static partial void LogWarningUnauthenticated(ILogger logger, string? remote, string path, string reason);

    [LoggerMessage(1205, LogLevel.Warning, "Refused a malformed replication request from {Remote}: {Reason}")]
    public static partial void LogWarningMalformed(ILogger logger, string? remote, string reason);
}
