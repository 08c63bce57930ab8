using Microsoft.Extensions.Logging;
using OrleansCausal.Core;
using OrleansCausal.Runtime.Storage;
using OrleansCausal.Storage;
using OrleansCausal.Storage.Postgres;
using OrleansCausal.Storage.Sqlite;

namespace OrleansCausal.Gateway.Hosting;

/// <summary>Creates the configured <see cref="IRecordStore"/> without opening it (opening is I/O and happens in
/// <see cref="StoreLifetimeService"/> at start).</summary>
public static class RecordStoreFactory
{
    public static IRecordStore Create(StoreSpecification spec, RegionId region, ILoggerFactory loggers, TimeProvider time) => spec.Kind switch
    {
        StoreSpecification.Sqlite => new SqliteRecordStore(
            new SqliteRecordStoreOptions { Path = spec.Target, Region = region },
            loggers.CreateLogger<SqliteRecordStore>(),
            time),
        StoreSpecification.Postgres => new PostgresRecordStore(
            new PostgresRecordStoreOptions { ConnectionString = spec.Target, Region = region },
            loggers.CreateLogger<PostgresRecordStore>(),
            time),
        StoreSpecification.Memory => new InMemoryRecordStore(region, time),
        _ => throw new InvalidOperationException($"Store kind '{spec.Kind}' is not known."),
    };
}
