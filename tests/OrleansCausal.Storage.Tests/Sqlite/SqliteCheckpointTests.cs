using OrleansCausal.Core;
using OrleansCausal.Storage.Sqlite;

namespace OrleansCausal.Storage.Tests.Sqlite;

/// <summary>
/// WAL checkpoints stay off the commit path (<see cref="SqliteRecordStoreOptions.CheckpointInterval"/>): with the
/// background checkpointer no commit copies pages into the database file — even past SQLite's automatic threshold of
/// 1,000 WAL pages — and the background thread does; with the interval at zero SQLite's own checkpoint runs inside a
/// commit (the control, showing the file size tells the two apart).
/// </summary>
public sealed class SqliteCheckpointTests : SqliteFileTestBase
{
    private static readonly RegionId Region = RegionId.Parse("A");
    private static readonly string Value = "\"" + new string('x', 4_000) + "\"";

    [Fact]
    public async Task Commits_past_the_automatic_threshold_do_not_checkpoint_when_the_background_checkpointer_is_on()
    {
        var (store, path) = await OpenAsync("background.db", TimeSpan.FromMinutes(1));
        var opened = new FileInfo(path).Length;

        await WriteMoreThanThresholdAsync(store);

        Assert.Equal(opened, new FileInfo(path).Length);
        Assert.True(new FileInfo(path + "-wal").Length > 1_000 * 4_096, "the WAL holds every page written since the store opened");
    }

    [Fact]
    public async Task The_background_checkpointer_copies_committed_pages_into_the_database_file()
    {
        var (store, path) = await OpenAsync("interval.db", TimeSpan.FromMilliseconds(10));
        var opened = new FileInfo(path).Length;
        var before = store.BackgroundCheckpoints;
        await WriteMoreThanThresholdAsync(store);

        // A checkpoint that ran during the writes may have copied only part of them; the commits after it make the
        // checkpointer run again, so the file reaches its full size. No signal for that: poll, bounded.
        var expected = opened + 1_000 * 4_000;
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (new FileInfo(path).Length < expected && DateTime.UtcNow < deadline)
        {
            await Task.Delay(10);
        }

        Assert.True(store.BackgroundCheckpoints > before, "the background checkpointer ran");
        Assert.True(new FileInfo(path).Length >= expected, "the committed values reached the database file");
        Assert.Equal(Value, (await store.LoadAsync(new RecordKey("n", "k1499"), Ct)).Record.Siblings.Single().Value);
    }

    [Fact]
    public async Task With_the_interval_at_zero_SQLite_checkpoints_inside_a_commit()
    {
        var (store, path) = await OpenAsync("automatic.db", TimeSpan.Zero);
        var opened = new FileInfo(path).Length;

        await WriteMoreThanThresholdAsync(store);

        Assert.Equal(0, store.BackgroundCheckpoints);
        Assert.True(new FileInfo(path).Length > opened, "SQLite's automatic checkpoint copied pages on a commit");
    }

    [Fact]
    public async Task Under_continuous_lone_writes_the_WAL_starts_over_after_each_background_checkpoint()
    {
        // The background checkpointer alone never catches up with a writer that never pauses, and SQLite writes the
        // WAL from its start again only once every frame is checkpointed; the writer's catch-up between batches does.
        var (store, path) = await OpenAsync("continuous.db", TimeSpan.FromMilliseconds(20));
        var key = new RecordKey("n", "k");
        var context = VersionVector.Empty;
        var puts = 0;
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while ((puts < 1_500 || store.BackgroundCheckpoints < 5) && DateTime.UtcNow < deadline)
        {
            context = (await store.PutAsync(new PutRequest(key, Value, context), Ct)).Record.Context;
            puts++;
        }

        Assert.True(store.BackgroundCheckpoints >= 5, "the background checkpointer ran during the writes");
        // Every put appends at least two 4 KB pages (its bin's value overflows into a page of its own); a WAL that
        // never started over would hold them all.
        var appended = puts * 2L * 4_096;
        var wal = new FileInfo(path + "-wal").Length;
        Assert.True(wal < appended / 4, $"the WAL holds {wal} bytes of the at least {appended} appended: it never started over");
    }

    /// <summary>1,500 values of 4 KB (more than 1,000 WAL pages), 100 puts at a time so they share transactions.</summary>
    private static async Task WriteMoreThanThresholdAsync(SqliteRecordStore store)
    {
        for (var chunk = 0; chunk < 15; chunk++)
        {
            await Task.WhenAll(Enumerable.Range(chunk * 100, 100)
                .Select(i => store.PutAsync(new PutRequest(new RecordKey("n", $"k{i}"), Value, VersionVector.Empty), Ct)));
        }
    }

    private async Task<(SqliteRecordStore Store, string Path)> OpenAsync(string file, TimeSpan checkpointInterval)
    {
        var path = Path.Combine(TestDirectory, file);
        var store = new SqliteRecordStore(new SqliteRecordStoreOptions { Path = path, Region = Region, CheckpointInterval = checkpointInterval });
        Stores.Add(store);
        await store.OpenAsync(Ct);
        return (store, path);
    }
}
