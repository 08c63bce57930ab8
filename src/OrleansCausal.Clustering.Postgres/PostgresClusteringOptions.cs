namespace OrleansCausal.Clustering.Postgres;

/// <summary>
/// Where a region keeps its Orleans membership: a PostgreSQL database shared by the region's silos. The tables
/// (<c>orleanscausal.membership_version</c>, <c>orleanscausal.membership_silo</c>) are created on first use and hold
/// one row set per cluster id (= the region), so several regions may share a database without seeing each other.
/// </summary>
public sealed class PostgresClusteringOptions
{
    /// <summary>An Npgsql connection string; its role needs CREATE on the database the first time (for the schema).</summary>
    public string ConnectionString { get; set; } = string.Empty;
}
