using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;
using OrleansCausal.Core;
using OrleansCausal.Replication.Hosting;
using OrleansCausal.Replication.Inbound;
using OrleansCausal.Replication.Wire;
using OrleansCausal.Runtime.Storage;
using OrleansCausal.Storage;
using OrleansCausal.Tests.Shared;

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
        _applier = ApplierOn(_receiver);
    }

    /// <summary>A receiver (one silo) over <paramref name="store"/>; several over one store are the silos of a region.</summary>
    private static InboundBatchApplier ApplierOn(IRecordStore store, TimeSpan? reorderWait = null)
    {
        var settings = new Dictionary<string, string?> { ["Region"] = "B" };
        if (reorderWait is { } wait)
        {
            settings["Replication:ReorderWait"] = wait.ToString("c", System.Globalization.CultureInfo.InvariantCulture);
        }

        return new InboundBatchApplier(store, new NoOtherSilos(), ReplicationSettings.Load(new ConfigurationBuilder().AddInMemoryCollection(settings).Build()),
            new ReplicationMetrics(), TimeProvider.System, NullLogger<InboundBatchApplier>.Instance);
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

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    public async Task Apply_WhenPipelinedBatchesArriveInAnyOrder_HoldsEachUntilItsPredecessorsAreAppliedAndRefusesNone(int seed)
    {
        // A sender with several batches in flight: consecutive feed ranges, some duplicated, all arriving at once in a
        // seeded random order (each request's wait before it reaches the applier is random).
        var random = new Random(seed);
        var all = await WriteAndSliceAsync(40, 0);
        var batches = new List<ReplicationBatch>();
        for (long after = 0; after < all.Through;)
        {
            var slice = await SliceAsync(after, random.Next(1, 8));
            batches.Add(slice);
            if (random.NextDouble() < 0.3)
            {
                batches.Add(slice);
            }

            after = slice.Through;
        }

        var applier = ApplierOn(_receiver, reorderWait: TimeSpan.FromSeconds(30));
        var results = await Task.WhenAll(batches.OrderBy(_ => random.Next()).Select(async (batch, i) =>
        {
            await Task.Delay(random.Next(0, 3) * i % 7);
            return await applier.ApplyAsync(batch, Ct);
        }));

        Assert.All(results, result => Assert.IsType<InboundResult.Applied>(result));
        Assert.Equal(all.Through, await _receiver.GetInboundPositionAsync(_sender.Replica.ToString(), Ct));
        foreach (var (key, record) in await _receiver.ScanAsync(null, 10, Ct))
        {
            Assert.Equal(await _sender.ReadAsync(key, Ct), record);
        }
    }

    [Fact]
    public async Task Apply_WhenThePredecessorNeverArrives_RefusesTheGapOnceTheReorderWaitIsOver()
    {
        await WriteAndSliceAsync(6, 0);
        var applier = ApplierOn(_receiver, reorderWait: TimeSpan.FromMilliseconds(200));
        var started = System.Diagnostics.Stopwatch.StartNew();

        var gap = Assert.IsType<InboundResult.Gap>(await applier.ApplyAsync(await SliceAsync(3, 3), Ct));

        Assert.True(started.Elapsed >= TimeSpan.FromMilliseconds(150), $"Refused after {started.Elapsed.TotalMilliseconds} ms, before the reorder wait was over.");
        Assert.Equal(0, gap.ExpectedAfter);
        Assert.Empty(await _receiver.ScanAsync(null, 10, Ct));
    }

    [Fact]
    public async Task Apply_WhenTwoSilosAndARestartedOneShareTheStore_EachDecidesGapsByTheStoredPosition()
    {
        // The applied position one silo keeps in memory lags what the other silo applied: a batch continuing the other
        // silo's is applied (not refused), a stale duplicate does not move the stored position back, and a restarted
        // silo (knowing nothing) still refuses a real gap with the stored position.
        var all = await WriteAndSliceAsync(12, 0);
        var (first, second, third, fourth) = (await SliceAsync(0, 3), await SliceAsync(3, 3), await SliceAsync(6, 3), await SliceAsync(9, 3));
        var silo1 = ApplierOn(_receiver, reorderWait: TimeSpan.Zero);
        var silo2 = ApplierOn(_receiver, reorderWait: TimeSpan.Zero);
        var source = _sender.Replica.ToString();

        Assert.Equal(3, Assert.IsType<InboundResult.Applied>(await silo1.ApplyAsync(first, Ct)).AppliedThrough);
        Assert.Equal(6, Assert.IsType<InboundResult.Applied>(await silo2.ApplyAsync(second, Ct)).AppliedThrough);
        Assert.Equal(9, Assert.IsType<InboundResult.Applied>(await silo1.ApplyAsync(third, Ct)).AppliedThrough);
        var stale = Assert.IsType<InboundResult.Applied>(await silo2.ApplyAsync(first, Ct));
        Assert.Equal(0, stale.Added);
        Assert.Equal(9, await _receiver.GetInboundPositionAsync(source, Ct));

        var restarted = ApplierOn(_receiver, reorderWait: TimeSpan.Zero);
        var beyond = new ReplicationBatch(source, all.Through + 1, all.Through + 2, fourth.Bins);
        Assert.Equal(9, Assert.IsType<InboundResult.Gap>(await restarted.ApplyAsync(beyond, Ct)).ExpectedAfter);
        Assert.Equal(9, Assert.IsType<InboundResult.Gap>(await silo2.ApplyAsync(beyond, Ct)).ExpectedAfter);
        Assert.Equal(12, Assert.IsType<InboundResult.Applied>(await restarted.ApplyAsync(fourth, Ct)).AppliedThrough);
        Assert.Equal(12, await _receiver.GetInboundPositionAsync(source, Ct));
        foreach (var (key, record) in await _receiver.ScanAsync(null, 10, Ct))
        {
            Assert.Equal(await _sender.ReadAsync(key, Ct), record);
        }
    }

    [Fact]
    public async Task Heartbeat_WhenTheStoreLostWhatThisSiloRemembersApplied_ReadsTheStoreAndReportsTheGap()
    {
        // The heartbeat is how a sender learns that the receiver lost state: it must not be answered from memory.
        var first = await WriteAndSliceAsync(3, 0);
        var store = new ForgetfulStore(_receiver);
        var applier = ApplierOn(store, reorderWait: TimeSpan.Zero);
        Assert.IsType<InboundResult.Applied>(await applier.ApplyAsync(first, Ct));

        store.Forgot = true;
        var heartbeat = new ReplicationBatch(first.Source, first.Through, first.Through, []);

        Assert.Equal(0, Assert.IsType<InboundResult.Gap>(await applier.ApplyAsync(heartbeat, Ct)).ExpectedAfter);
    }

    /// <summary>A store whose inbound positions read as never applied once <see cref="Forgot"/> (a rebuilt store).</summary>
    private sealed class ForgetfulStore(IRecordStore inner) : ForwardingRecordStore(inner)
    {
        public bool Forgot { get; set; }

        public override event EventHandler<RecordChangedEventArgs>? RecordChanged
        {
            add => Inner.RecordChanged += value;
            remove => Inner.RecordChanged -= value;
        }

        public override Task<long> GetInboundPositionAsync(string source, CancellationToken cancellationToken) =>
            Forgot ? Task.FromResult(0L) : Inner.GetInboundPositionAsync(source, cancellationToken);
    }

    private sealed class NoOtherSilos : Runtime.Grains.IRecordNoticeBroadcast
    {
        public Task NotifyOtherSilosAsync(MergeResult merge, TimeSpan timeout, CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
