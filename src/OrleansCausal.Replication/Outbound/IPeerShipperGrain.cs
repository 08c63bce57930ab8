using Orleans.Concurrency;

namespace OrleansCausal.Replication.Outbound;

/// <summary>
/// The one shipper of this region to one peer region (key = the peer's region id). Orleans keeps a single activation
/// per key in the region's cluster; every silo's <see cref="PeerShipperKeeper"/> calls <see cref="EnsureRunningAsync"/>
/// every <c>Replication:ShipperKeepAliveInterval</c>, so after the hosting silo dies the next call activates it on a
/// survivor, which resumes from the durable checkpoint. A brief duplicate activation (Orleans' directory is eventually
/// consistent) only sends duplicate batches, which the peer's gap check and idempotent merge absorb.
/// </summary>
public interface IPeerShipperGrain : IGrainWithStringKey
{
    /// <summary>Starts shipping to the peer's <paramref name="endpoints"/> (restarting when they changed); returns the
    /// address of the silo that ships (no I/O once running: this is the keep-alive call).</summary>
    Task<string> EnsureRunningAsync(string[] endpoints);

    /// <summary>As <see cref="EnsureRunningAsync"/>, then reports how the shipper stands (reads the backlog from the store).</summary>
    Task<PeerShipperReport> GetReportAsync(string[] endpoints);

    /// <summary>Stops shipping (the peer left the configuration): flushes the checkpoint and deactivates.</summary>
    Task<PeerShipperReport?> StopAsync();

    /// <summary>Schedules a full resend; false when the shipper is not running.</summary>
    [AlwaysInterleave]
    Task<bool> RequestResendAsync();
}

/// <summary>How the shipper to one peer stands: which silo runs it, what the peer acknowledged, the backlog (read
/// fresh from the store), the last error and, when a full resend is running or done, its state.</summary>
[GenerateSerializer, Immutable]
public sealed record PeerShipperReport(
    [property: Id(0)] string Silo,
    [property: Id(1)] long Checkpoint,
    [property: Id(2)] long Backlog,
    [property: Id(3)] DateTimeOffset? OldestUnacknowledgedAt,
    [property: Id(4)] string? LastError,
    [property: Id(5)] string? Repair);
