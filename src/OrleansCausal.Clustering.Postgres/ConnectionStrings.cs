using Npgsql;

namespace OrleansCausal.Clustering.Postgres;

internal static class ConnectionStrings
{
    /// <summary>Where a connection string points, for logs: host, port, database and user; never the password.</summary>
    public static string Describe(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        return $"Host={builder.Host};Port={builder.Port};Database={builder.Database};Username={builder.Username}";
    }
}
