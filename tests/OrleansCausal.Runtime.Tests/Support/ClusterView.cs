namespace OrleansCausal.Runtime.Tests.Support;

/// <summary>The <c>cluster</c> member of <c>GET /v1/status</c>: the region's Orleans silos as one silo sees them.</summary>
public sealed record ClusterView(string Id, IReadOnlyList<ClusterView.Member> Silos)
{
    public IReadOnlySet<string> Active => Silos.Where(s => s.Status == "active").Select(s => s.Address).ToHashSet();

    public static async Task<ClusterView> ReadAsync(HttpClient client, CancellationToken cancellationToken) =>
        (await StatusView.ReadAsync(client, cancellationToken)).Cluster;

    public override string ToString() => $"{Id}: [{string.Join(", ", Silos.Select(s => $"{s.Address} {s.Status}"))}]";

    public sealed record Member(string Address, string Status);
}
