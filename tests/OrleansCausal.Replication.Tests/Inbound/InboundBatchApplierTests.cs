using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;
using OrleansCausal.Core;
using OrleansCausal.Replication.Hosting;
using OrleansCausal.Replication.Inbound;
using OrleansCausal.Replication.Wire;
using OrleansCausal.Runtime.Storage;
using OrleansCausal.Storage;

namespace OrleansCausal.Replication.Tests.Inbound;

/// <summary>The receiver's rules on top of a store (an in-memory store: these test the layer above a provider; the
/// end-to-end tests run the same rules on SQLite over HTTP).</summary>
public sealed class InboundBatchApplierTests : IAsyncLifetime
{
    private static readonly CancellationToken Ct = CancellationToken.None;
    private static readonly RecordKey Key = new("n", "k");
    private readonly InMemoryRecordStore _sender = new(RegionId.Parse("A"));
    private readonly InMemoryRecordStore _receiver = new(RegionId.Parse("B"));
    private InboundBatchApplier _applier = null!;

    public async Task InitializeAsync()
    {
        await _sender.OpenAsync(Ct);
        await _receiver.OpenAsync(Ct);
        _applier = new InboundBatchApplier(_receiver, new NoOtherSilos(), ReplicationSettings.Load(new ConfigurationBuilder().AddInMemoryCollection([new("Region", "B")]).Build()), new ReplicationMetrics(), TimeProvider.System, NullLogger<InboundBatchApplier>.Instance);
    }

    public Task DisposeAsync() => Task.CompletedTask;

    private async Task<ReplicationBatch> WriteAndSliceAsync(int writes, long after)
    {
        for (var i = 0; i < writes; i++)
        {
            await _sender.PutAsync(new PutRequest(new RecordKey("n", $"k{i % 3}"), $"{i}", VersionVector.Empty), Ct);
        }

        return await SliceAsync(after, int.MaxValue);
    }

    private async Task<ReplicationBatch> SliceAsync(long after, int max)
    {
        var entries = await _sender.ReadChangesAsync(after, max, Ct);
        return new ReplicationBatch(_sender.Replica.ToString(), after, entries[^1].Sequence, entries.Select(e => new KeyedBin(e.Key, e.Bin)).ToList());
    }

    [Fact]
    public async Task Apply_WhenBatchSkipsUnappliedSequences_RefusesWithExpectedPositionAndAppliesNothing()
    {
        await WriteAndSliceAsync(6, 0);
        var second = await SliceAsync(3, 3);

        var result = await _applier.ApplyAsync(second, Ct);

        var gap = Assert.IsType<InboundResult.Gap>(result);
        Assert.Equal(0, gap.ExpectedAfter);
        Assert.Empty(await _receiver.ScanAsync(null, 10, Ct));
        Assert.Equal(0, await _receiver.GetInboundPositionAsync(_sender.Replica.ToString(), Ct));
    }

    [Fact]
    public async Task Apply_WhenOverlappingOrDuplicated_ReappliesIdempotentlyAndNeverMovesPositionBack()
    {
        var all = await WriteAndSliceAsync(6, 0);
        var first = await SliceAsync(0, 4);
        var overlap = await SliceAsync(2, 4);

        Assert.IsType<InboundResult.Applied>(await _applier.ApplyAsync(first, Ct));
        var afterFirst = await _receiver.ScanAsync(null, 10, Ct);
        var applied = Assert.IsType<InboundResult.Applied>(await _applier.ApplyAsync(overlap, Ct));
        Assert.Equal(2, applied.Added);
        Assert.Equal(6, applied.AppliedThrough);
        var stale = Assert.IsType<InboundResult.Applied>(await _applier.ApplyAsync(first, Ct));

        Assert.Equal(0, stale.Added);
        Assert.Equal(6, await _receiver.GetInboundPositionAsync(_sender.Replica.ToString(), Ct));
        var final = await _receiver.ScanAsync(null, 10, Ct);
        foreach (var (key, record) in final)
        {
            Assert.Equal(await _sender.ReadAsync(key, Ct), record);
        }

        Assert.Equal(3, final.Count);
        Assert.Equal(afterFirst.Count, final.Count);
        Assert.Equal(6, all.Through);
    }

    [Fact]
    public async Task Apply_WhenBatchCarriesReceiversOwnUnissuedDot_RefusesAsForgedAndAppliesNothing()
    {
        var genuine = await WriteAndSliceAsync(2, 0);
        var forgedBin = new Bin(new Dot(_receiver.Replica, 5), "\"forged\"", VersionVector.Empty, DateTimeOffset.UnixEpoch);
        var resend = new ResendBatch(_sender.Replica.ToString(), [.. genuine.Bins, new KeyedBin(Key, forgedBin)]);

        var result = await _applier.ApplyResendAsync(resend, Ct);

        var forged = Assert.IsType<InboundResult.Forged>(result);
        Assert.Contains(forgedBin.Dot.ToString(), forged.Message, StringComparison.Ordinal);
        Assert.Empty(await _receiver.ScanAsync(null, 10, Ct));
    }

    [Fact]
    public async Task Apply_WhenSourceIsReceiversOwnReplica_RefusesAsInvalid()
    {
        var batch = new ReplicationBatch(_receiver.Replica.ToString(), 0, 0, []);

        Assert.IsType<InboundResult.Invalid>(await _applier.ApplyAsync(batch, Ct));
    }

    private sealed class NoOtherSilos : Runtime.Grains.IRecordNoticeBroadcast
    {
        public Task NotifyOtherSilosAsync(MergeResult merge, TimeSpan timeout, CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
