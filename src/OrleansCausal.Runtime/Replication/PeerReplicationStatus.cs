namespace OrleansCausal.Runtime.Replication;

/// <summary>How replication to one peer region stands, as shown by <c>GET /v1/status</c>.</summary>
/// <param name="Region">The peer region.</param>
/// <param name="Backlog">Locally created bins the peer has not acknowledged yet.</param>
/// <param name="LastShippedSequence">The highest change-feed sequence the peer has acknowledged.</param>
/// <param name="Lag">Age of the oldest unacknowledged bin (zero when the backlog is empty).</param>
/// <param name="LastError">The last shipping error, or <c>null</c> after a success.</param>
/// <param name="IsShipping">True when the region's shipper to this peer runs on this silo.</param>
/// <param name="Shipper">The Orleans address of the silo that ships to this peer (null when it cannot be reached).</param>
/// <param name="Repair">A full resend to this peer: <c>null</c> when none was needed, otherwise what it is doing or
/// did and why (a new peer, a peer that lost its store, or one that fell behind the kept feed).</param>
public sealed record PeerReplicationStatus(
    string Region,
    long Backlog,
    long LastShippedSequence,
    TimeSpan Lag,
    string? LastError,
    bool IsShipping,
    string? Shipper = null,
    string? Repair = null);
