namespace OrleansCausal.Replication.Tests.EndToEnd.Collection;

/// <summary><see cref="StorageCollectionScenarios"/> with each region on its own SQLite file.</summary>
public sealed class SqliteStorageCollectionTests : StorageCollectionScenarios
{
    protected override Func<string, Task<string?>>? StoreForRegion => null;
}
