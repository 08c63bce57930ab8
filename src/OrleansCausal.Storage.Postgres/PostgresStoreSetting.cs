using Microsoft.Extensions.Logging;
using OrleansCausal.Core;

namespace OrleansCausal.Storage.Postgres;

/// <summary>The <c>Store = postgres:CONNECTION-STRING</c> configuration value (DESIGN.md §3).</summary>
public static class PostgresStoreSetting
{
    public const string Prefix = "postgres:";

    /// <summary>True when <paramref name="store"/> names a PostgreSQL store; gives the connection string after the prefix.</summary>
    public static bool TryParse(string? store, out string connectionString)
    {
        connectionString = string.Empty;
        if (store is null || !store.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        connectionString = store[Prefix.Length..].Trim();
        return true;
    }

    /// <summary>A store (not yet opened) for a <c>postgres:…</c> setting; options are validated here.</summary>
    public static PostgresRecordStore Create(string store, RegionId region, ILoggerFactory? loggerFactory = null, TimeProvider? time = null, Action<PostgresRecordStoreOptions>? configure = null)
    {
        if (!TryParse(store, out var connectionString))
        {
            throw new ArgumentException($"The Store setting must start with '{Prefix}' for PostgreSQL (e.g. postgres:Host=db;Username=oc;Password=...;Database=orleanscausal).", nameof(store));
        }

        var options = new PostgresRecordStoreOptions { ConnectionString = connectionString, Region = region };
        configure?.Invoke(options);
        return new PostgresRecordStore(options, loggerFactory?.CreateLogger<PostgresRecordStore>(), time);
    }
}
