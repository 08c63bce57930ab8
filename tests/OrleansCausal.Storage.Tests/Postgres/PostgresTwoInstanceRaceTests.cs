using System.Collections.Concurrent;
using OrleansCausal.Core;
using OrleansCausal.Tests.Shared;

namespace OrleansCausal.Storage.Tests.Postgres;

/// <summary>
/// Two store instances (two silos of one region) on one database, with concurrent load → conditional write loops
/// on the same keys (what two activations of a record grain do during cluster formation). A version the store
/// accepts must identify the record's content, so a write computed from a loaded record never reissues a dot.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresTwoInstanceRaceTests(PostgresServer server) : PostgresTestBase(server)
{
    [Fact]
    public async Task ConcurrentLoadWriteLoops_OnTwoInstances_NeverReissueADotAndLoseNoWrite()
    {
        var stores = new[] { await OpenStoreAsync(), await OpenStoreAsync() };
        var keys = Enumerable.Range(0, 4).Select(i => Key($"race-{i}")).ToArray();
        var acknowledged = new ConcurrentBag<(RecordKey Key, Dot Dot)>();
        var errors = new ConcurrentBag<Exception>();

        // Per store and key one writer (one activation per silo), looping like the grain: load, write, on a conflict
        // reload and retry.
        var writers = stores.SelectMany((store, s) => keys.Select(key => Task.Run(async () =>
        {
            var loaded = await store.LoadAsync(key, Ct);
            for (var i = 0; i < 40; i++)
            {
                while (true)
                {
                    var now = DateTimeOffset.FromUnixTimeMilliseconds(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
                    var outcome = loaded.Record.Put(store.Replica, $"\"s{s}-{i}\"", VersionVector.Empty, now);
                    try
                    {
                        var result = await store.WriteAsync(new RecordWrite(key, loaded.Version, loaded.Record, outcome.Record), Ct);
                        acknowledged.Add((key, outcome.Written.Dot));
                        loaded = new StoredRecord(outcome.Record, result.Version);
                        break;
                    }
                    catch (RecordVersionConflictException)
                    {
                        loaded = await store.LoadAsync(key, Ct);
                    }
                    catch (Exception e)
                    {
                        var again = await store.LoadAsync(key, Ct);
                        errors.Add(new InvalidOperationException($"store {s}, {key}: wrote at v{loaded.Version} clock {loaded.Record.Clock} bins {loaded.Record.Bins.Count}; db now v{again.Version} clock {again.Record.Clock} bins {again.Record.Bins.Count}: {e.Message}"));
                        loaded = await store.LoadAsync(key, Ct);
                    }
                }
            }
        }))).ToArray();
        await Task.WhenAll(writers).WaitAsync(TimeSpan.FromSeconds(120));

        Assert.Empty(errors.Select(e => e.Message));
        Assert.Equal(acknowledged.Count, acknowledged.Distinct().Count());
        foreach (var key in keys)
        {
            foreach (var store in stores)
            {
                var record = (await store.LoadAsync(key, Ct)).Record;
                Assert.Equal(acknowledged.Where(a => a.Key == key).Select(a => a.Dot).Order(), record.Bins.Select(b => b.Dot).Order());
            }
        }
    }

    [Fact]
    public async Task PutAsync_OnAnInstanceThatNeverReadTheRecord_DropsTheBinsItsContextCovers()
    {
        // The second instance has nothing cached: its put locks and reads the stored row and its bins.
        var first = await OpenStoreAsync();
        var second = await OpenStoreAsync();
        var key = Key("cold-put");
        var written = await PutAsync(first, key, "1");

        var replaced = await PutAsync(second, key, "2", written.Record.Context);

        Assert.Equal(["2"], replaced.Record.Siblings.Select(b => b.Value));
        Assert.Equal(["2"], (await first.LoadAsync(key, Ct)).Record.Bins.Select(b => b.Value));
    }

    [Fact]
    public async Task WriteAsync_OnAnInstanceWhoseCachedCopyIsStale_WritesFromTheLockedRowWithItsBins()
    {
        var first = await OpenStoreAsync();
        var second = await OpenStoreAsync();
        var key = Key("cold-write");
        await PutAsync(first, key, "1");
        var stale = await second.LoadAsync(key, Ct);
        await PutAsync(first, key, "2");
        var loaded = await first.LoadAsync(key, Ct);
        // second's cached copy (version 1) is behind the row (version 2), so its write takes the locking path.
        var now = DateTimeOffset.FromUnixTimeMilliseconds(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        var after = loaded.Record.Put(second.Replica, "3", VersionVector.Empty, now).Record;

        var result = await second.WriteAsync(new RecordWrite(key, loaded.Version, loaded.Record, after), Ct);

        Assert.Equal((1L, 3L), (stale.Version, result.Version));
        Assert.Equal(new StoredRecord(after, 3), await first.LoadAsync(key, Ct));
    }
}
