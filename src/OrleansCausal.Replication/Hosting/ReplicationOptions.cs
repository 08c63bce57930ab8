namespace OrleansCausal.Replication.Hosting;

/// <summary>
/// Settings under <c>Replication</c>. Peers are configured separately under <c>Peers:{Region}</c> (one or more
/// comma-separated base URLs, tried in turn). Validated at start by <see cref="ReplicationOptionsValidator"/>.
/// </summary>
public sealed class ReplicationOptions
{
    public const string SectionName = "Replication";

    /// <summary>Shared by all regions; the HMAC key for replication requests is derived from it. Required for any
    /// non-loopback peer. Never logged.</summary>
    public string? Secret { get; set; }

    /// <summary>Change-feed entries per shipped batch.</summary>
    public int BatchSize { get; set; } = 500;

    /// <summary>Change-feed entries per batch while a backlog is being drained (the last page read was full). Default
    /// = <see cref="BatchSize"/>: on SQLite, 4000-bin batches did not apply faster than 500-bin ones in the same-run
    /// benchmark (tests/OrleansCausal.Benchmarks replication, --set Replication:CatchUpBatchSize=N), and they delay
    /// the receiver's local writes behind one long transaction.</summary>
    public int CatchUpBatchSize { get; set; } = 500;

    /// <summary>Batches a shipper keeps on the wire to one peer before it waits for the oldest one's answer. Answers are
    /// taken in order, so the checkpoint only ever moves through acknowledged batches; with more than one, the next
    /// batch travels and is decoded while the peer merges the one before. 1 = one batch at a time.</summary>
    public int MaxBatchesInFlight { get; set; } = 2;

    /// <summary>How long the receiver holds a batch that starts past what it has applied of the source before refusing
    /// it as a gap (409): the batches a sender sent before it (<see cref="MaxBatchesInFlight"/>) may still be arriving.</summary>
    public TimeSpan ReorderWait { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>Records per full-resend chunk.</summary>
    public int ResendBatchSize { get; set; } = 200;

    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(10);

    public TimeSpan InitialBackoff { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Longest wait between retries to an unreachable peer. It bounds how long a healed peer sits idle
    /// before its catch-up starts (after a 60 s cut a 30 s cap could leave it idle for up to 30 s); a retry is one
    /// small request, so 5 s is cheap.</summary>
    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>A safety net only: shippers wake on every committed change; this bounds the wait when a change is
    /// made by another silo whose store cannot signal it (SQLite shared by two processes).</summary>
    public TimeSpan IdlePollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>When a peer has been sent nothing for this long, an empty batch at our checkpoint checks that it still
    /// holds what it acknowledged (it answers 409 if not, and we rewind).</summary>
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How often every silo calls the shipper grain of each peer. After the silo hosting a shipper dies, the
    /// first call once Orleans has declared it dead activates the shipper on a survivor: the take-over takes the
    /// membership timeout plus at most this.</summary>
    public TimeSpan ShipperKeepAliveInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How far a request's timestamp may be from the receiver's clock.</summary>
    public TimeSpan MaxClockSkew { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How long a shipper waits for a hole in the change feed (a sequence not yet visible) to fill before
    /// shipping past it with a warning. A gap-free provider never shows one.</summary>
    public TimeSpan FeedHoleTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Largest accepted request body.</summary>
    public int MaxBodyBytes { get; set; } = 64 * 1024 * 1024;

    /// <summary>Send a full resend to a peer whose checkpoint is 0 (a new peer) before shipping the feed.</summary>
    public bool ResendToNewPeers { get; set; } = true;
}
