using OrleansCausal.Core;
using OrleansCausal.Storage.Tests.Conformance;

namespace OrleansCausal.Storage.Tests.Sqlite;

/// <summary>The conformance suite on real SQLite files, one directory per test.</summary>
public sealed class SqliteRecordStoreConformanceTests : RecordStoreConformanceTests
{
    private readonly string _directory = SqliteTestFiles.NewDirectory();

    protected override Task<string> CreateLocationAsync(CancellationToken cancellationToken) =>
        Task.FromResult(Path.Combine(_directory, $"{Guid.NewGuid():N}.db"));

    protected override IRecordStore CreateStore(string location, RegionId region) => SqliteTestFiles.Create(location, region);

    protected override Task DestroyLocationAsync(string location, CancellationToken cancellationToken)
    {
        SqliteTestFiles.Delete(location);
        return Task.CompletedTask;
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        SqliteTestFiles.DeleteDirectory(_directory);
    }
}
