using OrleansCausal.Core;

namespace OrleansCausal.Storage.Tests.Conformance;

public abstract partial class RecordStoreConformanceTests
{
    [Fact]
    public async Task Put_WhenManyTasksWriteOneKey_LosesNoBinAndReusesNoDot()
    {
        const int Tasks = 16;
        const int PutsPerTask = 50;
        var (store, _) = await NewStoreAsync(RegionA);
        var key = Key("hot");

        var results = await Task.WhenAll(Enumerable.Range(0, Tasks).Select(t => Task.Run(async () =>
        {
            var mine = new List<StoreWriteResult>();
            for (var i = 0; i < PutsPerTask; i++)
            {
                mine.Add(await PutAsync(store, key, $"\"{t}-{i}\""));
            }

            return mine;
        })));

        var all = results.SelectMany(r => r).ToArray();
        var dots = all.Select(r => r.Written.Dot).ToHashSet();
        Assert.Equal(Tasks * PutsPerTask, dots.Count);
        Assert.Equal(Tasks * PutsPerTask, all.Select(r => r.Sequence).Distinct().Count());
        var record = await store.ReadAsync(key, Ct);
        Assert.Equal(Tasks * PutsPerTask, record.Siblings.Count);
        Assert.True(dots.SetEquals(record.Bins.Select(b => b.Dot)), "every acknowledged dot must be a sibling");
        Assert.Equal((ulong)(Tasks * PutsPerTask), record.Clock.Get(store.Replica));
        foreach (var result in all)
        {
            Assert.Equal(result.Written.Value, record.Bins.Single(b => b.Dot == result.Written.Dot).Value);
        }

        var feed = await store.ReadChangesAsync(0, int.MaxValue, Ct);
        Assert.Equal(Enumerable.Range(1, Tasks * PutsPerTask).Select(i => (long)i), feed.Select(c => c.Sequence - feed[0].Sequence + 1));
        Assert.True(dots.SetEquals(feed.Select(c => c.Bin.Dot)), "the change feed must list every acknowledged bin once");
    }

    [Fact]
    public async Task PutAndMerge_WhenInterleavedOnManyKeys_KeepEveryBin()
    {
        const int Keys = 8;
        var (a, _) = await NewStoreAsync(RegionA);
        var (b, _) = await NewStoreAsync(RegionB);
        var remote = new List<(RecordKey Key, Bin Bin)>();
        for (var i = 0; i < 40; i++)
        {
            var key = Key($"k{i % Keys}");
            remote.Add((key, (await PutAsync(b, key, $"{i}")).Written));
        }

        var locals = Enumerable.Range(0, 8).Select(t => Task.Run(async () =>
        {
            var mine = new List<(RecordKey Key, Bin Bin)>();
            for (var i = 0; i < 20; i++)
            {
                var key = Key($"k{(t + i) % Keys}");
                mine.Add((key, (await PutAsync(a, key, $"\"a{t}-{i}\"")).Written));
            }

            return mine;
        })).ToArray();
        var merged = await Task.WhenAll(remote.Select(r => a.MergeAsync([new KeyedBin(r.Key, r.Bin)], null, Ct)));
        var local = (await Task.WhenAll(locals)).SelectMany(x => x).ToArray();

        Assert.Equal(remote.Count, merged.Sum(m => m.Added));
        // Dots are per record: (key, dot) identifies a write.
        Assert.Equal(local.Length, local.Select(r => (r.Key, r.Bin.Dot)).Distinct().Count());
        for (var k = 0; k < Keys; k++)
        {
            var key = Key($"k{k}");
            var record = await a.ReadAsync(key, Ct);
            var expected = local.Concat(remote).Where(x => x.Key == key).Select(x => x.Bin.Dot).ToHashSet();
            Assert.True(expected.SetEquals(record.Bins.Select(x => x.Dot)), $"{key}: expected every blind bin {string.Join(", ", expected)}, found {Describe(record)}");
        }

        var feed = await a.ReadChangesAsync(0, int.MaxValue, Ct);
        Assert.Equal(local.Length, feed.Count);
        Assert.True(local.Select(x => (x.Key, x.Bin.Dot)).ToHashSet().SetEquals(feed.Select(c => (c.Key, c.Bin.Dot))), "the feed must hold exactly the local bins");
    }
}
