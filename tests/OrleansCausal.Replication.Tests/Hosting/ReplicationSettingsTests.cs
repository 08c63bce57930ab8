using Microsoft.Extensions.Configuration;
using OrleansCausal.Gateway;
using OrleansCausal.Replication.Hosting;

namespace OrleansCausal.Replication.Tests.Hosting;

public sealed class ReplicationSettingsTests
{
    private static IConfiguration Config(params (string Key, string Value)[] values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value))).Build();

    [Fact]
    public void Load_WhenNonLoopbackPeerWithoutSecret_RefusesNamingTheSetting()
    {
        var error = Assert.Throws<InvalidOperationException>(() =>
            ReplicationSettings.Load(Config(("Region", "A"), ("Peers:B", "http://127.0.0.1:7000,https://oc.b.example.com"))));

        Assert.Contains("Replication:Secret", error.Message, StringComparison.Ordinal);
        Assert.Contains("https://oc.b.example.com", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_WhenLoopbackPeersWithoutSecret_RunsUnauthenticated()
    {
        var settings = ReplicationSettings.Load(Config(("Region", "A"), ("Peers:B", "http://127.0.0.1:7000, http://localhost:7001")));

        Assert.False(settings.IsAuthenticated);
        var peer = Assert.Single(settings.Peers);
        Assert.Equal(["http://127.0.0.1:7000/", "http://localhost:7001/"], peer.Endpoints.Select(e => e.ToString()));
    }

    [Fact]
    public void Load_WhenNonLoopbackPeerWithSecret_IsAccepted()
    {
        var settings = ReplicationSettings.Load(Config(("Region", "A"), ("Peers:B", "https://oc.b.example.com"), ("Replication:Secret", "a-long-enough-secret")));

        Assert.True(settings.IsAuthenticated);
        Assert.Equal("B", Assert.Single(settings.Peers).Region.Value);
    }

    [Theory]
    [InlineData("Peers:A", "http://127.0.0.1:7000", "own region")]
    [InlineData("Peers:B", "ftp://127.0.0.1:7000", "not an http(s) base URL")]
    [InlineData("Peers:B", "", "lists no base URL")]
    [InlineData("Replication:Secret", "short", "at least 16 characters")]
    [InlineData("Replication:BatchSize", "0", "Replication:BatchSize")]
    public void Load_WhenSettingInvalid_RefusesWithClearMessage(string key, string value, string expected)
    {
        var error = Assert.Throws<InvalidOperationException>(() => ReplicationSettings.Load(Config(("Region", "A"), (key, value))));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SiloBuild_WhenNonLoopbackPeerWithoutSecret_RefusesToStart()
    {
        var error = Assert.Throws<InvalidOperationException>(() => SiloApplication.Build([], builder => builder.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Region"] = "A",
            ["Urls"] = "http://127.0.0.1:0",
            ["Store"] = "memory:",
            ["Peers:B"] = "http://10.1.2.3:8080",
        })));

        Assert.Contains("Replication:Secret", error.Message, StringComparison.Ordinal);
    }
}
