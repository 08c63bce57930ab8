using Microsoft.Data.Sqlite;
using OrleansCausal.Core;
using OrleansCausal.Storage.Sqlite;

namespace OrleansCausal.Storage.Tests.Sqlite;

/// <summary>What only the SQLite provider has: its file, schema versions, bad files and bad rows, options.</summary>
public sealed class SqliteRecordStoreTests : SqliteFileTestBase
{
    private static readonly RegionId Region = RegionId.Parse("A");

    [Fact]
    public async Task Open_WhenFileIsNew_CreatesItInWalModeWithDescription()
    {
        var path = Path.Combine(TestDirectory, "nested", "dir", "a.db");

        var store = await OpenAsync(path);

        Assert.True(File.Exists(path), "the file and its directory are created on first use");
        Assert.Equal($"sqlite:{path}", store.Description);
        Assert.Equal("wal", Raw(path, "PRAGMA journal_mode") as string);
        Assert.Equal((long)SqliteSchema.CurrentVersion, Raw(path, "SELECT version FROM schema_version"));
        Assert.Equal((long)store.Replica.Epoch, Raw(path, "SELECT epoch FROM meta"));
    }

    [Fact]
    public async Task Read_WhenRecordRowIsCorrupt_ReportsThatKeyAndKeepsServingOthers()
    {
        var path = Path.Combine(TestDirectory, "corrupt.db");
        var store = await OpenAsync(path);
        var bad = new RecordKey("n", "bad");
        var good = new RecordKey("n", "good");
        await store.PutAsync(new PutRequest(bad, "1", VersionVector.Empty), Ct);
        await store.PutAsync(new PutRequest(good, "2", VersionVector.Empty), Ct);
        Raw(path, "UPDATE records SET clock = X'01FFFFFF' WHERE key = 'bad'");

        var readError = await Assert.ThrowsAsync<RecordStoreException>(() => store.ReadAsync(bad, Ct));
        Assert.Equal(bad, readError.Key);
        Assert.Contains(path, readError.Message, StringComparison.Ordinal);
        Assert.Contains("n/bad", readError.Message, StringComparison.Ordinal);

        // Queued together, so they share a batch: the corrupt key's put is refused alone.
        var badPut = store.PutAsync(new PutRequest(bad, "3", VersionVector.Empty), Ct);
        var goodPut = store.PutAsync(new PutRequest(good, "4", VersionVector.Empty), Ct);
        var putError = await Assert.ThrowsAsync<RecordStoreException>(() => badPut);
        Assert.Equal(bad, putError.Key);
        var written = await goodPut;
        Assert.Equal(2, (await store.ReadAsync(good, Ct)).Siblings.Count);
        Assert.Equal(written.Sequence, await store.GetLastSequenceAsync(Ct));
        Assert.Equal([good], (await store.ScanAsync(null, 10, Ct)).Select(r => r.Key).ToArray());
        var mergeError = await Assert.ThrowsAsync<RecordStoreException>(() => store.MergeAsync([new KeyedBin(bad, written.Written)], null, Ct));
        Assert.Equal(bad, mergeError.Key);
    }

    [Fact]
    public async Task Put_WhenFileIsFull_FailsNamingThePathAndLeavesNothingHalfWritten()
    {
        var path = Path.Combine(TestDirectory, "full.db");
        var store = new SqliteRecordStore(new SqliteRecordStoreOptions { Path = path, Region = Region, MaxFileSizeBytes = 256 * 1024 });
        Stores.Add(store);
        await store.OpenAsync(Ct);
        var value = $"\"{new string('x', 16 * 1024)}\"";
        var acknowledged = new List<(RecordKey, Dot, long)>();
        RecordStoreException? full = null;
        for (var i = 0; i < 100 && full is null; i++)
        {
            var key = new RecordKey("n", $"k{i}");
            try
            {
                var result = await store.PutAsync(new PutRequest(key, value, VersionVector.Empty), Ct);
                acknowledged.Add((key, result.Written.Dot, result.Sequence));
            }
            catch (RecordStoreException error)
            {
                full = error;
            }
        }

        Assert.NotNull(full);
        Assert.Contains(path, full.Message, StringComparison.Ordinal);
        Assert.Contains("disk is full", full.Message, StringComparison.Ordinal);
        Assert.NotEmpty(acknowledged);
        Assert.Empty((await store.ReadAsync(new RecordKey("n", $"k{acknowledged.Count}"), Ct)).Bins);
        await StoreAudit.AssertHoldsAsync(store, acknowledged, "after a full file", Ct);
    }

    [Fact]
    public async Task Open_WhenSchemaIsNewerThanThisBuild_RefusesWithBothVersions()
    {
        var path = Path.Combine(TestDirectory, "future.db");
        var store = await OpenAsync(path);
        await store.PutAsync(new PutRequest(new RecordKey("n", "k"), "1", VersionVector.Empty), Ct);
        await store.DisposeAsync();
        Stores.Remove(store);
        Raw(path, "UPDATE schema_version SET version = 99");

        var error = await Assert.ThrowsAsync<RecordStoreException>(() => OpenAsync(path));

        Assert.Contains("schema version 99", error.Message, StringComparison.Ordinal);
        Assert.Contains($"version {SqliteSchema.CurrentVersion} ", error.Message, StringComparison.Ordinal);
        Assert.Contains(path, error.Message, StringComparison.Ordinal);
        Assert.Equal(99L, Raw(path, "SELECT version FROM schema_version"));
    }

    [Fact]
    public async Task Open_WhenDirectoryCannotBeCreated_ThrowsNamingThePath()
    {
        var blocker = Path.Combine(TestDirectory, "blocker");
        await File.WriteAllTextAsync(blocker, "a file where a directory should be");
        var path = Path.Combine(blocker, "sub", "x.db");

        var error = await Assert.ThrowsAsync<RecordStoreException>(() => OpenAsync(path));

        Assert.Contains(path, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Open_WhenFileIsNotADatabase_ThrowsNamingThePath()
    {
        var path = Path.Combine(TestDirectory, "text.db");
        await File.WriteAllTextAsync(path, new string('x', 8192));

        var error = await Assert.ThrowsAsync<RecordStoreException>(() => OpenAsync(path));

        Assert.Contains(path, error.Message, StringComparison.Ordinal);
        Assert.Contains("not a valid SQLite database", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Create_WhenOptionsAreInvalid_NamesEverySetting()
    {
        var error = Assert.Throws<ArgumentException>(() => new SqliteRecordStore(new SqliteRecordStoreOptions
        {
            Path = " ",
            MaxBatchSize = 0,
            BusyTimeout = TimeSpan.Zero,
        }));

        Assert.Contains(nameof(SqliteRecordStoreOptions.Path), error.Message, StringComparison.Ordinal);
        Assert.Contains(nameof(SqliteRecordStoreOptions.Region), error.Message, StringComparison.Ordinal);
        Assert.Contains(nameof(SqliteRecordStoreOptions.MaxBatchSize), error.Message, StringComparison.Ordinal);
        Assert.Contains(nameof(SqliteRecordStoreOptions.BusyTimeout), error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(nameof(SqliteRecordStoreOptions.ReaderThreads), error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(256)]
    public async Task Put_WhenTwoStoreInstancesShareOneFile_LoseNoBinAndReuseNoDot(int maxBatchSize)
    {
        var path = Path.Combine(TestDirectory, "shared.db");
        var first = await OpenAsync(path, maxBatchSize);
        var second = await OpenAsync(path, maxBatchSize);
        Assert.Equal(first.Replica, second.Replica);

        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(t => Task.Run(async () =>
        {
            var store = t % 2 == 0 ? first : second;
            var acks = new List<(RecordKey, Dot, long)>();
            for (var i = 0; i < 25; i++)
            {
                var key = new RecordKey("n", $"k{i % 2}");
                var result = await store.PutAsync(new PutRequest(key, $"\"{t}-{i}\"", VersionVector.Empty), Ct);
                acks.Add((key, result.Written.Dot, result.Sequence));
            }

            return acks;
        })));

        var all = results.SelectMany(r => r).ToArray();
        Assert.Equal(200, all.Length);
        await StoreAudit.AssertHoldsAsync(first, all, $"two instances, batch size {maxBatchSize}", Ct);
    }

    private async Task<SqliteRecordStore> OpenAsync(string path, int maxBatchSize = 256)
    {
        var store = SqliteTestFiles.Create(path, Region, maxBatchSize);
        Stores.Add(store);
        await store.OpenAsync(Ct);
        return store;
    }
}
