using OrleansCausal.Core;
using OrleansCausal.Storage;

namespace OrleansCausal.Runtime.Tests.Support;

/// <summary>Bins as another region's replica would ship them (for merges that race with local writes).</summary>
public static class RemoteBins
{
    public static readonly ReplicaId RegionB = new(RegionId.Parse("B"), 0xB0B);

    private static long _counter;

    /// <summary>A new bin of region B, concurrent with everything this region wrote (empty context).</summary>
    public static KeyedBin Next(RecordKey key, string json) =>
        new(key, new Bin(new Dot(RegionB, (ulong)Interlocked.Increment(ref _counter)), json, VersionVector.Empty, DateTimeOffset.FromUnixTimeMilliseconds(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds())));

    public static Task MergeAsync(IRecordStore store, KeyedBin bin) =>
        store.MergeAsync([bin], position: null, CancellationToken.None);
}
