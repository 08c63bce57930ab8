using OrleansCausal.Core;

namespace OrleansCausal.Storage.Tests.Sqlite;

/// <summary>Checks a store written only with blind puts against what its writers were told: every acknowledged
/// write is present (as a sibling and in the feed at its sequence), the feed is gap-free from 1, and the feed and
/// the records list exactly the same bins.</summary>
internal static class StoreAudit
{
    public static async Task AssertHoldsAsync(IRecordStore store, IReadOnlyCollection<(RecordKey Key, Dot Dot, long Sequence)> acknowledged, string context, CancellationToken cancellationToken)
    {
        var feed = await store.ReadChangesAsync(0, int.MaxValue, cancellationToken);
        for (var i = 0; i < feed.Count; i++)
        {
            Assert.True(feed[i].Sequence == i + 1, $"{context}: the change feed has a gap: entry {i} has sequence {feed[i].Sequence}, expected {i + 1}.");
        }

        Assert.Equal(feed.Count, await store.GetLastSequenceAsync(cancellationToken));
        foreach (var (key, dot, sequence) in acknowledged)
        {
            Assert.True(sequence >= 1 && sequence <= feed.Count, $"{context}: acknowledged write {key} {dot} has sequence {sequence} beyond the feed's {feed.Count} entries.");
            var entry = feed[(int)sequence - 1];
            Assert.True(entry.Key == key && entry.Bin.Dot == dot, $"{context}: feed entry {sequence} is {entry.Key} {entry.Bin.Dot}, but {key} {dot} was acknowledged with it.");
        }

        Assert.Equal(acknowledged.Count, acknowledged.Select(a => (a.Key, a.Dot)).Distinct().Count());
        foreach (var group in feed.GroupBy(e => e.Key))
        {
            var record = await store.ReadAsync(group.Key, cancellationToken);
            var expected = group.Select(e => e.Bin.Dot).ToHashSet();
            Assert.True(
                expected.SetEquals(record.Bins.Select(b => b.Dot)),
                $"{context}: record {group.Key} holds {record.Bins.Count} bins, its feed entries list {expected.Count}: {record}");
            foreach (var entry in group)
            {
                Assert.Equal(entry.Bin, record.Bins.Single(b => b.Dot == entry.Bin.Dot));
            }

            Assert.Equal(expected.Max(d => d.Counter), record.Clock.Get(store.Replica));
        }
    }
}
