using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace OrleansCausal.Storage.Sqlite;

public static class SqliteRecordStoreExtensions
{
    /// <summary>Registers the embedded SQLite store (<c>Store=sqlite:PATH</c>) as the region's <see cref="IRecordStore"/>:
    /// its options are validated when the host starts, and the store is opened when the silo starts (by the
    /// dotted-bins grain storage), never here.</summary>
    public static IServiceCollection AddSqliteRecordStore(this IServiceCollection services, Action<SqliteRecordStoreOptions> configure)
    {
        services.AddOptions<SqliteRecordStoreOptions>().Configure(configure).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<SqliteRecordStoreOptions>, SqliteRecordStoreOptionsValidator>());
        return services.AddSingleton<IRecordStore>(sp => new SqliteRecordStore(
            sp.GetRequiredService<IOptions<SqliteRecordStoreOptions>>().Value,
            sp.GetRequiredService<ILogger<SqliteRecordStore>>(),
            sp.GetService<TimeProvider>()));
    }
}
