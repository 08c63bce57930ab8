using OrleansCausal.Runtime.Tests.Support;
using OrleansCausal.Storage;

namespace OrleansCausal.Runtime.Tests.Gateway;

/// <summary>Read-after-write over HTTP on a real SQLite file: served from the record grain's cache, never at the cost of a
/// merge committed around the write.</summary>
public sealed class ReadAfterWriteTests
{
    private static readonly Dictionary<string, string?> LongCache = new() { ["Actors:MaxCacheAge"] = "00:10:00" };

    [Fact]
    public async Task Get_AfterPut_IsServedWithoutStoreRead_AndAMergeAroundTheWriteIsVisible()
    {
        var (silo, probe) = await TestSilo.StartProbedAsync(LongCache);
        await using var _ = silo;
        const string path = "/v1/kv/default/raw-http";
        var key = new RecordKey("default", "raw-http");

        // (a) the read after a write costs no store read, with or without the write's context.
        var written = await silo.Client.SendForRecordAsync(KvApi.Put(path, "\"v1\""));
        var readsBefore = probe.Reads;
        var blind = await silo.Client.SendForRecordAsync(KvApi.Get(path));
        var session = await silo.Client.SendForRecordAsync(KvApi.Get(path, written.Context));
        Assert.Equal(readsBefore, probe.Reads);
        Assert.Equal(["\"v1\""], blind.SiblingValues);
        Assert.Equal(written.Dots, session.Dots);

        // (b1) a merge committed right after the write, before its acknowledgement (same batch or the next one).
        var early = RemoteBins.Next(key, "\"remote-1\"");
        probe.AfterWrite = request => RemoteBins.MergeAsync(probe.Inner, early);
        var second = await silo.Client.SendForRecordAsync(KvApi.Put(path, "\"v2\"", written.Context));
        probe.AfterWrite = null;
        var afterSecond = await silo.Client.SendForRecordAsync(KvApi.Get(path));
        Assert.Equal(["\"v2\""], second.SiblingValues);
        Assert.Equal(["\"remote-1\"", "\"v2\""], afterSecond.SiblingValues.Order());

        // (b2) a merge committed between the acknowledged write and the read.
        var third = await silo.Client.SendForRecordAsync(KvApi.Put(path, "\"v3\"", afterSecond.Context));
        await RemoteBins.MergeAsync(probe.Inner, RemoteBins.Next(key, "\"remote-2\""));
        var afterThird = await silo.Client.SendForRecordAsync(KvApi.Get(path, third.Context));
        Assert.Equal(["\"v3\""], third.SiblingValues);
        Assert.Equal(["\"remote-2\"", "\"v3\""], afterThird.SiblingValues.Order());
    }

    [Fact]
    public async Task Get_AfterPutRacingAMerge_AlwaysSeesTheMerge()
    {
        // The merge and the write race into the SQLite writer's group commit (often the same batch, in either order).
        // Whatever the interleaving, once both are acknowledged the next read must show the merged bin.
        var (silo, probe) = await TestSilo.StartProbedAsync(LongCache);
        await using var _ = silo;
        for (var round = 0; round < 20; round++)
        {
            var path = $"/v1/kv/default/race-{round}";
            var remote = RemoteBins.Next(new RecordKey("default", $"race-{round}"), $"\"remote-{round}\"");
            await silo.Client.SendForRecordAsync(KvApi.Put(path, "\"warm\""));

            // Start the merge when the put is about to reach the store: even rounds enqueue it just before the put,
            // odd rounds from another thread, so it lands just before or just after the put, often in its batch.
            Task merge = Task.CompletedTask;
            var odd = round % 2 == 1;
            probe.BeforeWrite = _ =>
            {
                probe.BeforeWrite = null;
                merge = odd ? Task.Run(() => RemoteBins.MergeAsync(probe.Inner, remote)) : RemoteBins.MergeAsync(probe.Inner, remote);
                return Task.CompletedTask;
            };
            await silo.Client.SendForRecordAsync(KvApi.Put(path, $"\"local-{round}\""));
            await merge;
            var read = await silo.Client.SendForRecordAsync(KvApi.Get(path));

            Assert.True(read.Dots.Contains(remote.Bin.Dot.ToString()), $"round {round}: the merged bin {remote.Bin.Dot} is missing from [{string.Join(", ", read.Dots)}]");
            Assert.Contains($"\"local-{round}\"", read.SiblingValues);
        }
    }
}
