using Npgsql;

namespace OrleansCausal.Storage.Postgres;

/// <summary>Builds a description of a PostgreSQL store that is safe to show and log: the password is redacted.</summary>
internal static class PostgresDescription
{
    public const string Redacted = "***";

    public static string Of(string connectionString, string schema)
    {
        string safe;
        try
        {
            var builder = new NpgsqlConnectionStringBuilder(connectionString);
            if (!string.IsNullOrEmpty(builder.Password))
            {
                builder.Password = Redacted;
            }

            safe = builder.ConnectionString;
        }
        catch (ArgumentException)
        {
            safe = "(invalid connection string)";
        }

        return schema == PostgresRecordStoreOptions.DefaultSchema ? $"postgres:{safe}" : $"postgres:{safe} (schema {schema})";
    }

    /// <summary>host:port, for error messages.</summary>
    public static string Endpoint(string connectionString)
    {
        try
        {
            var builder = new NpgsqlConnectionStringBuilder(connectionString);
            return $"{builder.Host}:{builder.Port}";
        }
        catch (ArgumentException)
        {
            return "(invalid connection string)";
        }
    }
}
