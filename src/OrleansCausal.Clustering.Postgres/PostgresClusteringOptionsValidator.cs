using Microsoft.Extensions.Options;
using Npgsql;
using Orleans;
using Orleans.Runtime;

namespace OrleansCausal.Clustering.Postgres;

/// <summary>Checks <see cref="PostgresClusteringOptions"/> when the silo starts. Messages never echo the connection
/// string (it may carry a password).</summary>
internal sealed class PostgresClusteringOptionsValidator(IOptions<PostgresClusteringOptions> options) : IConfigurationValidator
{
    public void ValidateConfiguration() => Validate(options.Value);

    internal static void Validate(PostgresClusteringOptions options)
    {
        const string Name = $"{nameof(PostgresClusteringOptions)}.{nameof(PostgresClusteringOptions.ConnectionString)}";
        if (string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            throw new OrleansConfigurationException(
                $"{Name} is empty: PostgreSQL clustering needs the connection string of the region's database.");
        }

        NpgsqlConnectionStringBuilder builder;
        try
        {
            builder = new NpgsqlConnectionStringBuilder(options.ConnectionString);
        }
        catch (ArgumentException)
        {
            throw new OrleansConfigurationException(
                $"{Name} is not a valid Npgsql connection string (an unknown keyword or a malformed value; the value is not shown because it may hold a password).");
        }

        if (string.IsNullOrWhiteSpace(builder.Host))
        {
            throw new OrleansConfigurationException($"{Name} names no Host: set Host=… to the region's PostgreSQL server.");
        }
    }
}
