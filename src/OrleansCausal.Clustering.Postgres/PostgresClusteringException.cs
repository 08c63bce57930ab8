namespace OrleansCausal.Clustering.Postgres;

/// <summary>The membership table in PostgreSQL is not in the state the protocol needs (e.g. a heartbeat for a silo
/// that has no row).</summary>
public sealed class PostgresClusteringException(string message) : Exception(message);
