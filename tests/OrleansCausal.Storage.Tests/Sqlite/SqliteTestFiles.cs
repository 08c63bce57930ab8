using OrleansCausal.Core;
using OrleansCausal.Storage.Sqlite;

namespace OrleansCausal.Storage.Tests.Sqlite;

/// <summary>Real SQLite files in a per-test temporary directory.</summary>
internal static class SqliteTestFiles
{
    public static string NewDirectory()
    {
        var directory = Path.Combine(Path.GetTempPath(), "oc-sqlite-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        return directory;
    }

    public static SqliteRecordStore Create(string path, RegionId region, int maxBatchSize = 256) =>
        new(new SqliteRecordStoreOptions { Path = path, Region = region, MaxBatchSize = maxBatchSize });

    /// <summary>Deletes the database and its WAL and shared-memory files.</summary>
    public static void Delete(string path)
    {
        foreach (var file in new[] { path, path + "-wal", path + "-shm", path + "-journal" })
        {
            File.Delete(file);
        }
    }

    public static void DeleteDirectory(string directory)
    {
        if (Directory.Exists(directory))
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
