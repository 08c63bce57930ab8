using OrleansCausal.Core;
using OrleansCausal.Storage.Postgres;
using OrleansCausal.Storage.Tests.Conformance;
using OrleansCausal.Tests.Shared;

namespace OrleansCausal.Storage.Tests.Postgres;

/// <summary>The conformance suite on a real PostgreSQL server over a real connection, one fresh database per location.</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresRecordStoreConformanceTests(PostgresServer server) : RecordStoreConformanceTests
{
    private bool _disposing;

    protected override Task<string> CreateLocationAsync(CancellationToken cancellationToken) =>
        server.CreateDatabaseAsync("conformance", cancellationToken);

    protected override IRecordStore CreateStore(string location, RegionId region) =>
        new PostgresRecordStore(new PostgresRecordStoreOptions { ConnectionString = location, Region = region });

    /// <summary>During the test: the database is lost and an empty one takes its place. At the end: it is dropped.</summary>
    protected override Task DestroyLocationAsync(string location, CancellationToken cancellationToken) =>
        _disposing ? server.DropDatabaseAsync(location, cancellationToken) : server.RecreateDatabaseAsync(location, cancellationToken);

    public override Task DisposeAsync()
    {
        _disposing = true;
        return base.DisposeAsync();
    }
}
