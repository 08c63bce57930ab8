using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using OrleansCausal.Core;
using OrleansCausal.Storage.Sqlite;

namespace OrleansCausal.Storage.Tests.Sqlite;

/// <summary>Schema 4, the change feed without AUTOINCREMENT: a schema-3 file keeps its feed and sequences, a put no
/// longer writes <c>sqlite_sequence</c>, and no sequence is ever issued twice across compactions and restarts (the
/// feed is gap-free and peers' checkpoints are sequences, so a reused one would skip or repeat a bin).</summary>
public sealed class SqliteFeedSchemaTests : SqliteFileTestBase
{
    private static readonly RegionId Region = RegionId.Parse("A");
    private static readonly DateTimeOffset WrittenAt = DateTimeOffset.FromUnixTimeMilliseconds(1_767_225_600_123);

    [Fact]
    public async Task Open_WhenFileHasTheOperationsSchema_RebuildsTheFeedWithItsSequencesAndAppendsAfterTheNewest()
    {
        var path = Path.Combine(TestDirectory, "schema3.db");
        var replica = new ReplicaId(Region, 0x2345bcde);
        var key = new RecordKey("flights", "pax-1");
        var bins = Enumerable.Range(1, 4)
            .Select(i => CausalRecord.Empty.Put(replica, $"\"{i}\"", VersionVector.Empty, WrittenAt.AddSeconds(i)).Written)
            .ToList();
        CreateSchema3File(path, replica, key, bins);
        // As compaction leaves it: the oldest entries gone, the newest kept; AUTOINCREMENT remembers 4.
        Raw(path, "DELETE FROM changes WHERE seq <= 2");

        var store = SqliteTestFiles.Create(path, Region);
        Stores.Add(store);
        await store.OpenAsync(Ct);

        Assert.Equal((long)SqliteSchema.CurrentVersion, Raw(path, "SELECT version FROM schema_version"));
        Assert.DoesNotContain("AUTOINCREMENT", (string)Raw(path, "SELECT sql FROM sqlite_schema WHERE name = 'changes'")!, StringComparison.OrdinalIgnoreCase);
        var feed = await store.ReadChangesAsync(0, 100, Ct);
        Assert.Equal([3L, 4L], feed.Select(e => e.Sequence));
        Assert.Equal(bins.Skip(2), feed.Select(e => e.Bin));

        var put = await store.PutAsync(new PutRequest(new RecordKey("flights", "pax-2"), "\"12F\"", VersionVector.Empty), Ct);
        Assert.Equal(5, put.Sequence);
        Assert.Equal(0L, Raw(path, "SELECT COUNT(*) FROM sqlite_sequence WHERE name = 'changes'"));
    }

    [Fact]
    public async Task Open_WhenTheSchema3FeedIsEmptyButAutoincrementRemembersASequence_KeepsAutoincrementAndNeverReusesIt()
    {
        var path = Path.Combine(TestDirectory, "emptied.db");
        var replica = new ReplicaId(Region, 0x2345bcde);
        var bin = CausalRecord.Empty.Put(replica, "\"1\"", VersionVector.Empty, WrittenAt).Written;
        CreateSchema3File(path, replica, new RecordKey("flights", "pax-1"), [bin, bin]);
        Raw(path, "DELETE FROM changes");

        var store = SqliteTestFiles.Create(path, Region);
        Stores.Add(store);
        await store.OpenAsync(Ct);

        var put = await store.PutAsync(new PutRequest(new RecordKey("flights", "pax-2"), "\"12F\"", VersionVector.Empty), Ct);
        Assert.Equal(3, put.Sequence);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public async Task Sequences_AcrossRandomPutsCompactionsAndRestarts_AreIssuedOnceEachAndInOrder(int seed)
    {
        var random = new Random(seed);
        var path = Path.Combine(TestDirectory, $"restarts-{seed}.db");
        var issued = new List<long>();
        for (var run = 0; run < 4; run++)
        {
            await using var store = SqliteTestFiles.Create(path, Region);
            await store.OpenAsync(Ct);
            for (var step = 0; step < 20; step++)
            {
                if (random.Next(4) == 0)
                {
                    // Compact through anything from nothing to past the end (the newest entry always stays).
                    var last = issued.Count == 0 ? 0 : issued[^1];
                    await store.CompactFeedAsync(random.NextInt64(0, last + 3), Ct);
                }
                else
                {
                    var key = new RecordKey("flights", $"pax-{random.Next(5)}");
                    var result = await store.PutAsync(new PutRequest(key, $"\"{step}\"", VersionVector.Empty), Ct);
                    issued.Add(result.Sequence);
                }
            }

            if (issued.Count > 0)
            {
                Assert.Equal(issued[^1], await store.GetLastSequenceAsync(Ct));
            }
        }

        // Gap-free and never reused: exactly 1, 2, 3, … in the order the puts were acknowledged.
        Assert.Equal(Enumerable.Range(1, issued.Count).Select(i => (long)i), issued);
    }

    /// <summary>A file as the previous build left it (schema 3): schema 1 by hand with the given feed bins, then the
    /// migrations that shipped.</summary>
    private static void CreateSchema3File(string path, ReplicaId replica, RecordKey key, IReadOnlyList<Bin> feed)
    {
        SqliteSchema1File.Create(path, replica, [], feed.Select(bin => (key, bin)), []);
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        connection.Open();
        using var transaction = connection.BeginTransaction();
        PerBinMigration.Apply(connection, path, NullLogger.Instance);
        OperationsMigration.Apply(connection, path, NullLogger.Instance);
        using var version = connection.CreateCommand();
        version.CommandText = "UPDATE schema_version SET version = 3";
        version.ExecuteNonQuery();
        transaction.Commit();
    }
}
