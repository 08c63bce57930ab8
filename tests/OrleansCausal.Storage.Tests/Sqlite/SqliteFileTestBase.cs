using Microsoft.Data.Sqlite;

namespace OrleansCausal.Storage.Tests.Sqlite;

/// <summary>A test class working on real SQLite files in its own temporary directory: the stores it opens are
/// tracked and disposed after each test, then the directory is deleted.</summary>
public abstract class SqliteFileTestBase : IAsyncLifetime
{
    protected string TestDirectory { get; } = SqliteTestFiles.NewDirectory();

    /// <summary>Stores disposed after the test, in the order they were tracked.</summary>
    protected List<IAsyncDisposable> Stores { get; } = [];

    protected static CancellationToken Ct => new CancellationTokenSource(TimeSpan.FromSeconds(60)).Token;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var store in Stores)
        {
            await store.DisposeAsync();
        }

        SqliteTestFiles.DeleteDirectory(TestDirectory);
    }

    /// <summary>One scalar of <paramref name="sql"/> run on the file at <paramref name="path"/> directly (to inspect or
    /// damage rows).</summary>
    protected static object? Raw(string path, string sql)
    {
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    }
}
