using OrleansCausal.Core;
using OrleansCausal.Runtime.Grains;
using OrleansCausal.Runtime.Tests.Support;
using OrleansCausal.Storage;

namespace OrleansCausal.Runtime.Tests.Grains;

/// <summary>Writes queued behind a write in flight are persisted together, each computed as if alone and in arrival
/// order: one storage write per batch, every dot distinct, each caller answered with the record right after its own
/// write, and a merge racing a batch makes the whole batch reload and retry.</summary>
public sealed class RecordGrainBatchTests(OneSiloRegion fixture) : IClassFixture<OneSiloRegion>
{
    private RegionCluster Region => fixture.Region;

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public async Task QueuedWrites_ArePersistedTogether_EachAsIfAlone(int seed)
    {
        var random = new Random(seed);
        var key = new RecordKey("default", $"batched-{seed}");
        var grain = Region.Record(key.Key);
        var first = await grain.WriteAsync(new RecordWriteCommand("\"first\"", VersionVector.Empty, false));
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Region.Probe.Gate = gate.Task;
        try
        {
            // Hold one write in the store; queue more behind it — some blind, some superseding what "first" showed.
            var held = grain.WriteAsync(new RecordWriteCommand("\"held\"", VersionVector.Empty, false));
            await Region.Probe.WriteArrived.Task.WaitAsync(TimeSpan.FromSeconds(10));
            var writesBefore = Region.Probe.Writes;
            var commands = Enumerable.Range(0, 10 + random.Next(10))
                .Select(i => new RecordWriteCommand($"\"q{i}\"", random.Next(2) == 0 ? VersionVector.Empty : first.Snapshot.Record.Clock, false))
                .ToArray();
            var queued = commands.Select(grain.WriteAsync).ToArray();
            await grain.ReadAsync(null); // a round trip through the grain: the queued writes have arrived
            gate.SetResult();
            var outcomes = await Task.WhenAll(queued);
            await held;

            var record = (await grain.ReadAsync(null)).Record;
            var stored = await Region.Probe.Inner.LoadAsync(key, default);
            Assert.Equal(stored.Record, record);
            Assert.True(Region.Probe.Writes - writesBefore < commands.Length, $"{commands.Length} queued writes took {Region.Probe.Writes - writesBefore} storage writes");

            var dots = outcomes.Select(o => o.Written).ToArray();
            Assert.Equal(dots.Length, dots.Distinct().Count());
            Assert.DoesNotContain((await held).Written, dots);
            foreach (var outcome in outcomes)
            {
                // The caller's own bin is live in the record it is answered with, and was not superseded later:
                // every queued write either drops nothing (blind) or only what "first" showed.
                Assert.Contains(outcome.Written, outcome.Snapshot.Record.Bins.Select(b => b.Dot));
                Assert.Contains(outcome.Written, record.Bins.Select(b => b.Dot));
                // Answered with the record right after its own write: no dot issued after it is in it.
                Assert.DoesNotContain(outcome.Snapshot.Record.Bins, b => b.Dot.Replica == outcome.Written.Replica && b.Dot.Counter > outcome.Written.Counter);
            }

            // "first" is superseded once any queued write carried its context; otherwise still a sibling.
            var superseding = commands.Any(c => !c.Context.IsEmpty);
            Assert.Equal(!superseding, record.Bins.Any(b => b.Dot == first.Written));
        }
        finally
        {
            gate.TrySetResult();
            Region.Probe.Gate = null;
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public async Task Merge_RacingABatch_MakesItRetryWholeAndLosesNothing(int seed)
    {
        var random = new Random(seed);
        var key = new RecordKey("default", $"batch-race-{seed}");
        var grain = Region.Record(key.Key);
        var warm = await grain.WriteAsync(new RecordWriteCommand("\"warm\"", VersionVector.Empty, false));
        var merged = new List<Dot>();
        var acknowledged = new List<Dot>();
        for (var round = 0; round < 3; round++)
        {
            var remote = RemoteBins.Next(key, $"\"remote-{round}\"");
            merged.Add(remote.Bin.Dot);
            var races = 0;
            Region.Probe.BeforeWrite = _ =>
            {
                // Every batch's first attempt meets a merge that landed after the batch was computed.
                if (Interlocked.Increment(ref races) == 1)
                {
                    return RemoteBins.MergeAsync(Region.Probe.Inner, remote);
                }

                return Task.CompletedTask;
            };
            var writes = Enumerable.Range(0, 2 + random.Next(6)) // stays under the sibling cap (32): nothing pruned
                .Select(i => grain.WriteAsync(new RecordWriteCommand($"\"local-{round}-{i}\"", VersionVector.Empty, false)))
                .ToArray();
            acknowledged.AddRange((await Task.WhenAll(writes)).Select(o => o.Written));
            Region.Probe.BeforeWrite = null;
        }

        var record = (await grain.ReadAsync(null)).Record;
        var stored = await Region.Probe.Inner.LoadAsync(key, default);
        Assert.Equal(stored.Record, record);
        Assert.All(merged, dot => Assert.Contains(dot, record.Bins.Select(b => b.Dot)));
        Assert.All(acknowledged, dot => Assert.Contains(dot, record.Bins.Select(b => b.Dot)));
        var local = record.Bins.Where(b => b.Dot.Region == warm.Written.Region).Select(b => b.Dot).ToArray();
        Assert.Equal(acknowledged.Count + 1, local.Length);
        Assert.Equal(local.Length, local.Distinct().Count());
    }
}
