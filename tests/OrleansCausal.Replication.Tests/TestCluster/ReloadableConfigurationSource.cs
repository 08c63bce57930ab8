using Microsoft.Extensions.Configuration;

namespace OrleansCausal.Replication.Tests.TestCluster;

/// <summary>An in-memory configuration source a test can change while the silo runs (it signals a reload), e.g. to
/// add or remove a peer region.</summary>
public sealed class ReloadableConfigurationSource : IConfigurationSource
{
    private readonly Provider _provider = new();

    public void Set(string key, string? value)
    {
        _provider.SetValue(key, value);
    }

    public void Remove(string key) => _provider.RemoveValue(key);

    public void Reload() => _provider.Signal();

    public IConfigurationProvider Build(IConfigurationBuilder builder) => _provider;

    private sealed class Provider : ConfigurationProvider
    {
        public void SetValue(string key, string? value) => Data[key] = value;

        public void RemoveValue(string key) => Data.Remove(key);

        public void Signal() => OnReload();
    }
}
