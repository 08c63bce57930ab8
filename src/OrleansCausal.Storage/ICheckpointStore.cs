namespace OrleansCausal.Storage;

/// <summary>Durable replication positions: how far each peer has acknowledged our feed, and how far each source's
/// feed has been applied here.</summary>
public interface ICheckpointStore
{
    /// <summary>A durable named checkpoint (e.g. how far a peer has acknowledged), 0 when never saved.</summary>
    Task<long> GetCheckpointAsync(string name, CancellationToken cancellationToken);

    Task SaveCheckpointAsync(string name, long sequence, CancellationToken cancellationToken);

    /// <summary>How far a source's change feed has been applied here (0 when never); it never decreases
    /// (<see cref="InboundPosition"/>).</summary>
    Task<long> GetInboundPositionAsync(string source, CancellationToken cancellationToken);
}
