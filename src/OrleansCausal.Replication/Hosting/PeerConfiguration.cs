using OrleansCausal.Core;

namespace OrleansCausal.Replication.Hosting;

/// <summary>One peer region and the base URLs of its silos (tried in turn).</summary>
public sealed record PeerConfiguration(RegionId Region, IReadOnlyList<Uri> Endpoints)
{
    public bool IsLoopbackOnly => Endpoints.All(static e => e.IsLoopback);
}
