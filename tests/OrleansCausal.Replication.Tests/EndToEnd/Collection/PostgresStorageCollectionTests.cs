using OrleansCausal.Tests.Shared;

namespace OrleansCausal.Replication.Tests.EndToEnd.Collection;

/// <summary><see cref="StorageCollectionScenarios"/> with each region on its own database of a real PostgreSQL server.</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresStorageCollectionTests(PostgresServer server) : StorageCollectionScenarios
{
    protected override Func<string, Task<string?>>? StoreForRegion =>
        async region => "postgres:" + await server.CreateDatabaseAsync("gc" + region.ToLowerInvariant());
}
