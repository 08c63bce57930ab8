using Npgsql;

namespace OrleansCausal.Clustering.Postgres;

/// <summary>
/// Our own membership schema (not Orleans' ADO.NET scripts). One version row per cluster id carries the table
/// version and its etag (the compare-and-set token of every membership change); one row per silo carries its entry
/// and a row etag that only <c>InsertRow</c>/<c>UpdateRow</c> change — heartbeats leave both etags alone, as the
/// contract asks. Deleting a cluster's version row deletes its silo rows.
/// </summary>
internal static class MembershipSchema
{
    /// <summary>Serializes schema creation across silos starting at once (CREATE … IF NOT EXISTS alone can still
    /// fail on a unique violation in the catalog when two transactions race). 'OCMEMB' in ASCII.</summary>
    private const long SchemaLockKey = 0x4F434D454D42;

    private const string CreateSchemaSql = "CREATE SCHEMA IF NOT EXISTS orleanscausal";

    private const string CreateVersionTableSql = """
        CREATE TABLE IF NOT EXISTS orleanscausal.membership_version (
            cluster_id   text    PRIMARY KEY,
            version      integer NOT NULL,
            version_etag uuid    NOT NULL
        )
        """;

    private const string CreateSiloTableSql = """
        CREATE TABLE IF NOT EXISTS orleanscausal.membership_silo (
            cluster_id       text          NOT NULL REFERENCES orleanscausal.membership_version (cluster_id) ON DELETE CASCADE,
            silo_address     text          NOT NULL,
            silo_name        text,
            host_name        text,
            status           text          NOT NULL,
            proxy_port       integer       NOT NULL,
            role_name        text,
            update_zone      integer       NOT NULL,
            fault_zone       integer       NOT NULL,
            start_time       timestamptz   NOT NULL,
            i_am_alive_time  timestamptz   NOT NULL,
            suspecting_silos text[]        NOT NULL,
            suspecting_times timestamptz[] NOT NULL,
            row_etag         uuid          NOT NULL,
            PRIMARY KEY (cluster_id, silo_address)
        )
        """;

    private const string InsertVersionSql = """
        INSERT INTO orleanscausal.membership_version (cluster_id, version, version_etag)
        VALUES (@cluster_id, 0, gen_random_uuid())
        ON CONFLICT (cluster_id) DO NOTHING
        """;

    /// <summary>Creates the schema and tables when missing and, when asked, the cluster's version row (version 0):
    /// one transaction under a transaction-scoped advisory lock, so concurrent silos take turns.</summary>
    public static async Task EnsureAsync(NpgsqlDataSource dataSource, string clusterId, bool createVersionRow, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using (var batch = new NpgsqlBatch(connection, transaction))
        {
            batch.BatchCommands.Add(new NpgsqlBatchCommand("SELECT pg_advisory_xact_lock(@key)") { Parameters = { new("key", SchemaLockKey) } });
            batch.BatchCommands.Add(new NpgsqlBatchCommand(CreateSchemaSql));
            batch.BatchCommands.Add(new NpgsqlBatchCommand(CreateVersionTableSql));
            batch.BatchCommands.Add(new NpgsqlBatchCommand(CreateSiloTableSql));
            if (createVersionRow)
            {
                batch.BatchCommands.Add(new NpgsqlBatchCommand(InsertVersionSql) { Parameters = { new("cluster_id", clusterId) } });
            }

            await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }
}
