using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OrleansCausal.Core;
using OrleansCausal.Runtime.Options;
using OrleansCausal.Runtime.Storage;
using OrleansCausal.Storage.Postgres;
using OrleansCausal.Storage.Sqlite;

namespace OrleansCausal.Gateway.Hosting;

/// <summary>The <c>Store</c> setting's kinds, each mapped to its backend's own <c>Add…RecordStore</c> extension.</summary>
internal static class StoreRegistration
{
    /// <summary>The section whose settings tune the embedded SQLite store (<see cref="SqliteRecordStoreOptions"/>:
    /// <c>MaxBatchSize</c>, <c>ReaderThreads</c>, <c>BusyTimeout</c>, <c>MaxFileSizeBytes</c>,
    /// <c>CheckpointInterval</c>); the file, region and operation window always come from <c>Store</c>,
    /// <c>Region</c> and <c>Idempotency:*</c>.</summary>
    public const string SqliteSection = "Sqlite";

    /// <summary>The section whose settings tune the PostgreSQL store (<see cref="PostgresRecordStoreOptions"/>:
    /// <c>Schema</c>, <c>WriterCount</c>, <c>MaxBatchSize</c>, <c>ListenReconnectMaxDelay</c>); the connection string,
    /// region and operation window always come from <c>Store</c>, <c>Region</c> and <c>Idempotency:*</c>.</summary>
    public const string PostgresSection = "Postgres";

    private static readonly Dictionary<string, Action<IServiceCollection, StoreSpecification, RegionId, OperationWindow, IConfiguration>> Backends = new(StringComparer.Ordinal)
    {
        [StoreSpecification.Sqlite] = (services, spec, region, window, configuration) =>
        {
            services.AddOptions<SqliteRecordStoreOptions>().Bind(configuration.GetSection(SqliteSection));
            services.AddSqliteRecordStore(o => (o.Path, o.Region, o.Operations) = (spec.Target, region, window));
        },
        [StoreSpecification.Postgres] = (services, spec, region, window, configuration) =>
        {
            services.AddOptions<PostgresRecordStoreOptions>().Bind(configuration.GetSection(PostgresSection));
            services.AddPostgresRecordStore(o => (o.ConnectionString, o.Region, o.Operations) = (spec.Target, region, window));
        },
        [StoreSpecification.Memory] = (services, _, region, window, _) => services.AddInMemoryRecordStore(region, window),
    };

    /// <param name="operations">The window of remembered operations (<c>Idempotency:*</c>): merges in the store apply
    /// the same window as the record grains.</param>
    /// <summary>The <c>Idempotency:*</c> window, read the way the runtime options read it; refuses invalid settings
    /// with the same messages the runtime's validator gives.</summary>
    public static OperationWindow OperationWindowOf(IConfiguration configuration)
    {
        var options = new IdempotencyOptions();
        configuration.GetSection("Idempotency").Bind(options);
        var problems = options.Problems().ToList();
        if (problems.Count > 0)
        {
            throw new OptionsValidationException("Idempotency", typeof(IdempotencyOptions), problems);
        }

        return options.Window;
    }

    public static IServiceCollection AddRecordStore(
        this IServiceCollection services, StoreSpecification spec, RegionId region, OperationWindow operations, IConfiguration configuration)
    {
        Backends[spec.Kind](services, spec, region, operations, configuration);
        return services;
    }
}
