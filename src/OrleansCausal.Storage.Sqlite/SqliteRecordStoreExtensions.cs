using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace OrleansCausal.Storage.Sqlite;

public static class SqliteRecordStoreExtensions
{
    /// <summary>Registers the embedded SQLite store (<c>Store=sqlite:PATH</c>) as the region's <see cref="IRecordStore"/>;
    /// it is opened when the silo starts (by the dotted-bins grain storage), not here.</summary>
    public static IServiceCollection AddSqliteRecordStore(this IServiceCollection services, SqliteRecordStoreOptions options)
    {
        options.Validate();
        return services.AddSingleton<IRecordStore>(sp => new SqliteRecordStore(
            options, sp.GetRequiredService<ILogger<SqliteRecordStore>>(), sp.GetService<TimeProvider>()));
    }
}
