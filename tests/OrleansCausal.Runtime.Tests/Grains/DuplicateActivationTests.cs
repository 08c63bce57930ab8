using OrleansCausal.Core;
using OrleansCausal.Runtime.Grains;
using OrleansCausal.Runtime.Tests.Support;
using OrleansCausal.Storage;

namespace OrleansCausal.Runtime.Tests.Grains;

/// <summary>
/// Orleans can briefly run two activations of one key during a membership change. Forced here: two clusters that
/// do not know each other share one store, so each runs its own activation of the same record, and neither hears
/// the other's change notices. Every write of both is kept with its own dot: the stale one fails on the version,
/// reloads and retries.
/// </summary>
public sealed class DuplicateActivationTests
{
    [Theory]
    [InlineData(7)]
    [InlineData(11)]
    public async Task TwoActivations_WritingOneKey_KeepEveryWriteWithDistinctDots(int seed)
    {
        var shared = InMemoryStores.Create();
        await using var left = await RegionCluster.StartAsync(shared, forwardNotices: false);
        await using var right = await RegionCluster.StartAsync(shared, forwardNotices: false);
        var random = new Random(seed);
        var key = new RecordKey("default", $"split-{seed}");
        // 30 blind writes: below the default sibling cap (32), so every one stays a sibling.

        var writes = Enumerable.Range(0, 30).Select(async i =>
        {
            await Task.Delay(random.Next(3));
            var side = i % 2 == 0 ? left : right;
            return (await side.Grains.GetRecordGrain(key).WriteAsync(new RecordWriteCommand($"{i}", VersionVector.Empty, false))).Written;
        }).ToArray();
        var dots = await Task.WhenAll(writes);

        var stored = await shared.LoadAsync(key, default);
        Assert.Equal(30, dots.Distinct().Count());
        Assert.Equal(dots.Order(), stored.Record.Bins.Select(b => b.Dot).Order());
        Assert.Single(left.SilosHosting(key));
        Assert.Single(right.SilosHosting(key));
    }
}
