namespace OrleansCausal.Runtime.Replication;

/// <summary>How replication to one peer region stands, as shown by <c>GET /v1/status</c>.</summary>
/// <param name="Region">The peer region.</param>
/// <param name="Backlog">Locally created bins the peer has not acknowledged yet.</param>
/// <param name="LastShippedSequence">The highest change-feed sequence the peer has acknowledged.</param>
/// <param name="Lag">Age of the oldest unacknowledged bin (zero when the backlog is empty).</param>
/// <param name="LastError">The last shipping error, or <c>null</c> after a success.</param>
/// <param name="IsShipping">True when this silo holds the shipping lease for the peer.</param>
public sealed record PeerReplicationStatus(
    string Region,
    long Backlog,
    long LastShippedSequence,
    TimeSpan Lag,
    string? LastError,
    bool IsShipping);
