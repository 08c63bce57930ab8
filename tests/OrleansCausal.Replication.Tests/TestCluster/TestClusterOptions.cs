namespace OrleansCausal.Replication.Tests.TestCluster;

/// <summary>How to build a <see cref="TestCluster"/>: region names, silos per region, the seed of the link
/// faults, and extra settings for every silo (or per region).</summary>
public sealed record TestClusterOptions
{
    public IReadOnlyList<string> Regions { get; init; } = ["A", "B"];

    public int SilosPerRegion { get; init; } = 1;

    /// <summary>Regions whose number of silos differs from <see cref="SilosPerRegion"/>.</summary>
    public IReadOnlyDictionary<string, int> SilosInRegion { get; init; } = new Dictionary<string, int>();

    public int Seed { get; init; } = 1;

    /// <summary>Null runs replication unauthenticated over loopback.</summary>
    public string? ReplicationSecret { get; init; } = "test-cluster-replication-secret";

    public IReadOnlyDictionary<string, string?> Settings { get; init; } = new Dictionary<string, string?>();

    /// <summary>The <c>Store</c> setting of a region (e.g. <c>postgres:...</c> for a fresh database, which every silo
    /// of the region opens, as in production); null (or a null result) gives the region its own SQLite file in the
    /// cluster's temp directory — for one silo only, as in production.</summary>
    public Func<string, Task<string?>>? StoreForRegion { get; init; }

    /// <summary>Runs on every silo's services after the silo's own registrations (e.g. to decorate the store);
    /// gets the region name.</summary>
    public Action<string, Microsoft.Extensions.DependencyInjection.IServiceCollection>? ConfigureServices { get; init; }

    /// <summary>When false, peers are not configured at start (add them with <see cref="TestCluster.Connect"/>).</summary>
    public bool ConnectAll { get; init; } = true;
}
