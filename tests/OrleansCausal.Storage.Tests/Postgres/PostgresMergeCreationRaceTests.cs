using OrleansCausal.Core;
using OrleansCausal.Tests.Shared;

namespace OrleansCausal.Storage.Tests.Postgres;

/// <summary>
/// A merge creates the records it finds without a row (no placeholder row first), and once its merges keep meeting
/// new keys it writes them in one round trip, assuming them absent. Here another instance of the region (another
/// silo) creates the same records by puts at the same moment: whichever commits first, nothing may be lost — every
/// record ends with the put's bin and the merged bin, the same on both instances.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresMergeCreationRaceTests(PostgresServer server) : PostgresTestBase(server)
{
    [Fact]
    public async Task MergeOfNewKeys_WhileAnotherInstancePutsThem_KeepsTheBinsOfBoth()
    {
        var merger = await OpenStoreAsync();
        var putter = await OpenStoreAsync();
        var remote = await OpenStoreAsync(region: RegionId.Parse("B"), configure: o => o.Schema = "remote_b");
        var source = remote.Replica.ToString();

        // Warm-up: a batch of new keys teaches the merger that its merges meet new keys.
        var warm = new List<KeyedBin>();
        for (var i = 0; i < 5; i++)
        {
            warm.Add(new KeyedBin(Key($"warm-{i}"), (await PutAsync(remote, Key($"warm-{i}"), $"{i}")).Written));
        }

        await merger.MergeAsync(warm, new InboundPosition(source, 5), Ct);

        var keys = Enumerable.Range(0, 80).Select(i => Key($"race-{i}")).ToArray();
        var remoteBins = new List<KeyedBin>();
        foreach (var key in keys)
        {
            remoteBins.Add(new KeyedBin(key, (await PutAsync(remote, key, "\"remote\"")).Written));
        }

        var merges = Task.Run(async () =>
        {
            for (var i = 0; i < remoteBins.Count; i += 8)
            {
                await merger.MergeAsync(remoteBins.Skip(i).Take(8).ToList(), new InboundPosition(source, 5 + i + 8), Ct);
            }
        });
        var puts = Task.Run(async () =>
        {
            var written = new Dictionary<RecordKey, Dot>();
            foreach (var key in keys.Reverse())
            {
                written[key] = (await PutAsync(putter, key, "\"local\"")).Written.Dot;
            }

            return written;
        });
        await Task.WhenAll(merges, puts).WaitAsync(Timeout);
        var localDots = await puts;

        Assert.Equal(5 + remoteBins.Count, await merger.GetInboundPositionAsync(source, Ct));
        foreach (var (key, index) in keys.Select((k, i) => (k, i)))
        {
            var expected = new[] { remoteBins[index].Bin.Dot, localDots[key] }.Order().ToArray();
            var atMerger = await merger.LoadAsync(key, Ct);
            var atPutter = await putter.LoadAsync(key, Ct);
            Assert.True(expected.SequenceEqual(atMerger.Record.Bins.Select(b => b.Dot)),
                $"{key}: expected bins [{string.Join(", ", expected)}], the merging instance holds [{string.Join(", ", atMerger.Record.Bins.Select(b => b.Dot))}].");
            Assert.Equal(atMerger, atPutter);
            Assert.Equal(2, atMerger.Version);
        }
    }
}
