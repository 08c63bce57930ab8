using Microsoft.Extensions.DependencyInjection;
using OrleansCausal.Core;
using OrleansCausal.Runtime.Grains;
using OrleansCausal.Runtime.Tests.Support;
using OrleansCausal.Storage;

namespace OrleansCausal.Runtime.Tests.Grains;

public sealed class TwoSiloRegion : IAsyncLifetime
{
    public RegionCluster Region { get; private set; } = null!;

    public async Task InitializeAsync() => Region = await RegionCluster.StartAsync(InMemoryStores.Create(), silos: 2);

    public async Task DisposeAsync() => await Region.DisposeAsync();
}

/// <summary>A region of two silos: each key has one activation in the cluster, whichever silo the call enters by.</summary>
public sealed class TwoSiloRegionTests(TwoSiloRegion fixture) : IClassFixture<TwoSiloRegion>
{
    [Fact]
    public async Task Calls_EnteringByEitherSilo_ReachOneActivationPerKey()
    {
        var region = fixture.Region;
        var silos = region.Cluster.GetActiveSilos().ToArray();
        Assert.Equal(2, silos.Length);
        var keys = Enumerable.Range(0, 12).Select(i => new RecordKey("default", $"single-{i}")).ToArray();

        // Each key is written through both silos at once: one of the two calls enters by the silo that does not host
        // the key, and both must reach the same activation.
        foreach (var key in keys)
        {
            var writes = silos.Select(silo => silo.SiloHost.Services.GetRequiredService<IGrainFactory>().GetRecordGrain(key)
                .WriteAsync(new RecordWriteCommand("\"x\"", VersionVector.Empty, false)));
            await Task.WhenAll(writes);
        }

        foreach (var key in keys)
        {
            Assert.Single(region.SilosHosting(key));
            Assert.Equal(2, (await region.Grains.GetRecordGrain(key).ReadAsync(null)).Record.Bins.Count);
        }
    }
}

/// <summary>A silo killed under its record grains: the survivor serves every key from the shared store with every
/// acknowledged write.</summary>
public sealed class SiloFailureTests
{
    [Fact]
    public async Task SiloKilled_SurvivorServesItsKeysWithEveryAcknowledgedWrite()
    {
        await using var region = await RegionCluster.StartAsync(InMemoryStores.Create(), silos: 2);
        var keys = Enumerable.Range(0, 12).Select(i => new RecordKey("default", $"failover-{i}")).ToArray();
        var acknowledged = new Dictionary<RecordKey, RecordSnapshot>();
        foreach (var key in keys)
        {
            acknowledged[key] = (await region.Grains.GetRecordGrain(key).WriteAsync(new RecordWriteCommand("\"before\"", VersionVector.Empty, false))).Snapshot;
        }

        var victim = region.SilosHosting(keys[0]).Single();
        var survivor = region.Cluster.GetActiveSilos().Single(s => s.SiloAddress != victim.SiloAddress);
        await region.Cluster.KillSiloAsync(victim);

        var grains = survivor.SiloHost.Services.GetRequiredService<IGrainFactory>();
        foreach (var key in keys)
        {
            var read = await grains.GetRecordGrain(key).ReadAsync(null).WaitAsync(TimeSpan.FromSeconds(60));
            Assert.Equal(acknowledged[key].Record, read.Record);
            var next = await grains.GetRecordGrain(key).WriteAsync(new RecordWriteCommand("\"after\"", read.Record.Clock, false));
            Assert.Equal(["\"after\""], next.Snapshot.Record.Siblings.Select(b => b.Value));
        }
    }
}

/// <summary><c>Actors:IdleTimeout</c> is Orleans' collection age: an idle record grain is deactivated, and the next
/// call activates it again from storage.</summary>
public sealed class IdleCollectionTests
{
    [Fact]
    public async Task IdleGrain_IsDeactivatedAfterIdleTimeout_AndReactivatesFromStorage()
    {
        await using var region = await RegionCluster.StartAsync(
            InMemoryStores.Create(), settings: new Dictionary<string, string?> { ["Actors:IdleTimeout"] = "00:00:02" });
        var key = new RecordKey("default", "idle");
        var grain = region.Grains.GetRecordGrain(key);
        var written = await grain.WriteAsync(new RecordWriteCommand("\"kept\"", VersionVector.Empty, false));
        Assert.True(region.Cluster.TryGetGrainContext(grain.GetGrainId(), out var context), "the grain should be active after a write");

        await context.Deactivated.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Empty(region.SilosHosting(key));
        Assert.Equal(written.Snapshot, await grain.ReadAsync(null));
    }
}
