using Microsoft.Extensions.Logging;
using OrleansCausal.Core;
using OrleansCausal.Runtime.Storage;
using OrleansCausal.Storage;
using OrleansCausal.Storage.Sqlite;

namespace OrleansCausal.Gateway.Hosting;

/// <summary>Creates the configured <see cref="IRecordStore"/> without opening it (opening is I/O and happens in
/// <see cref="StoreLifetimeService"/> at start).</summary>
public static class RecordStoreFactory
{
    public static IRecordStore Create(StoreSpecification spec, RegionId region, ILoggerFactory loggers, TimeProvider time) => spec.Kind switch
    {
        StoreSpecification.Memory => new InMemoryRecordStore(region, time),
        StoreSpecification.Sqlite => new SqliteRecordStore(
            new SqliteRecordStoreOptions { Path = spec.Target, Region = region }, loggers.CreateLogger<SqliteRecordStore>(), time),
        _ => throw new InvalidOperationException($"Store kind '{spec.Kind}' is not available in this build."),
    };
}
