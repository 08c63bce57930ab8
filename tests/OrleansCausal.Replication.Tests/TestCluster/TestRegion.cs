using OrleansCausal.Runtime.Replication;

namespace OrleansCausal.Replication.Tests.TestCluster;

/// <summary>One region of a test cluster: its own SQLite store in a temp directory, shared by its silos, and a
/// reloadable configuration (peers can be added or removed while it runs).</summary>
public sealed class TestRegion
{
    internal TestRegion(string name, string dataDirectory)
    {
        Name = name;
        DataDirectory = dataDirectory;
    }

    public string Name { get; }

    public string DataDirectory { get; }

    public string StorePath => Path.Combine(DataDirectory, $"{Name}.db");

    public ReloadableConfigurationSource Configuration { get; } = new();

    public List<TestSilo> Silos { get; } = [];

    public TestSilo Silo => Silos.First(s => s.IsRunning);

    public IReadOnlyList<Uri> LiveAddresses => Silos.Where(s => s.IsRunning).Select(s => s.BaseAddress).ToList();

    public KvClient Client() => Silo.Client();

    public Task<IReadOnlyList<PeerReplicationStatus>> StatusAsync() =>
        ((IReplicationStatus)Silo.Services.GetService(typeof(IReplicationStatus))!).GetPeersAsync(CancellationToken.None);

    public override string ToString() => Name;
}
