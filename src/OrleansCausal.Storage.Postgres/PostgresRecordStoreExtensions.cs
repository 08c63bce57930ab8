using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace OrleansCausal.Storage.Postgres;

public static class PostgresRecordStoreExtensions
{
    /// <summary>Registers the PostgreSQL store (<c>Store=postgres:CONNECTION-STRING</c>) as the region's
    /// <see cref="IRecordStore"/>: its options are validated when the host starts, and the store is opened when the
    /// silo starts (by the dotted-bins grain storage), never here.</summary>
    public static IServiceCollection AddPostgresRecordStore(this IServiceCollection services, Action<PostgresRecordStoreOptions> configure)
    {
        services.AddOptions<PostgresRecordStoreOptions>().Configure(configure).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<PostgresRecordStoreOptions>, PostgresRecordStoreOptionsValidator>());
        return services.AddSingleton<IRecordStore>(sp => new PostgresRecordStore(
            sp.GetRequiredService<IOptions<PostgresRecordStoreOptions>>().Value,
            sp.GetRequiredService<ILogger<PostgresRecordStore>>(),
            sp.GetService<TimeProvider>()));
    }
}
