using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace OrleansCausal.Storage.Postgres;

public static class PostgresRecordStoreExtensions
{
    /// <summary>Registers the PostgreSQL store (<c>Store=postgres:CONNECTION-STRING</c>) as the region's
    /// <see cref="IRecordStore"/>; it is opened when the silo starts (by the dotted-bins grain storage), not here.</summary>
    public static IServiceCollection AddPostgresRecordStore(this IServiceCollection services, PostgresRecordStoreOptions options) =>
        services.AddSingleton<IRecordStore>(sp => new PostgresRecordStore(
            options, sp.GetRequiredService<ILogger<PostgresRecordStore>>(), sp.GetService<TimeProvider>()));
}
