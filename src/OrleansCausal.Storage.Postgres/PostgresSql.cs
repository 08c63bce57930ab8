namespace OrleansCausal.Storage.Postgres;

/// <summary>
/// The SQL of the store, qualified with its schema (validated to <c>[a-z_][a-z0-9_]*</c>, so quoting it is safe).
/// Arrays are passed as parameters and expanded with <c>unnest</c>, so a whole group commit is a handful of statements.
/// </summary>
internal sealed class PostgresSql(string schema)
{
    public string Schema { get; } = schema;

    /// <summary>The NOTIFY channel: one per schema, so stores of other regions sharing a database are not disturbed.</summary>
    public string Channel { get; } = $"orleanscausal_changes_{schema}";

    public string Q(string table) => $"\"{Schema}\".\"{table}\"";

    /// <summary>Placeholder rows for records not written yet, so that every record of a batch has a row to lock.
    /// $1 namespaces, $2 keys (sorted), $3 the encoded empty record.</summary>
    public string InsertMissing => $"""
        INSERT INTO {Q("records")} (namespace, key, data)
        SELECT u.namespace, u.key, $3 FROM unnest($1::text[], $2::text[]) AS u(namespace, key)
        ON CONFLICT (namespace, key) DO NOTHING
        """;

    /// <summary>Locks the batch's records in (namespace, key) order — ORDER BY is applied before the locks are taken —
    /// so that concurrent transactions lock in one global order and cannot deadlock on each other.</summary>
    public string SelectForUpdate => $"""
        SELECT r.namespace, r.key, r.data, r.version FROM {Q("records")} AS r
        WHERE (r.namespace, r.key) IN (SELECT u.namespace, u.key FROM unnest($1::text[], $2::text[]) AS u(namespace, key))
        ORDER BY r.namespace, r.key
        FOR UPDATE
        """;

    public string UpdateRecords => $"""
        UPDATE {Q("records")} AS r SET data = u.data, version = r.version + 1
        FROM unnest($1::text[], $2::text[], $3::bytea[]) AS u(namespace, key, data)
        WHERE r.namespace = u.namespace AND r.key = u.key
        """;

    /// <summary>
    /// The optimistic write: replaces each record only if it still has the version the new record was computed from
    /// (the UPDATE locks the row and re-checks the version on the latest committed row), and fails the whole
    /// transaction with SQLSTATE <see cref="StaleRecordState"/> when any record changed meanwhile.
    /// $1 namespaces, $2 keys, $3 new data, $4 expected versions, $5 how many rows must change.
    /// </summary>
    public string UpdateRecordsIfUnchanged => $"""
        WITH changed AS (
            UPDATE {Q("records")} AS r SET data = u.data, version = r.version + 1
            FROM unnest($1::text[], $2::text[], $3::bytea[], $4::bigint[]) AS u(namespace, key, data, version)
            WHERE r.namespace = u.namespace AND r.key = u.key AND r.version = u.version
            RETURNING 1)
        SELECT {Q("expect_rows")}((SELECT count(*) FROM changed), $5)
        """;

    public const string StaleRecordState = "OC409";

    /// <summary>
    /// Allocates the change-feed sequence numbers and appends the entries. The counter row is updated by the last
    /// statement before COMMIT: its row lock is held from the allocation until the commit, so allocations are
    /// serialized and transactions commit in sequence order. A reader that sees sequence n committed therefore
    /// sees every sequence below n too (the feed is gap-free in commit order), and a rolled-back transaction rolls
    /// its allocation back with it. A plain SEQUENCE would not do: numbers are taken outside the transaction, so a
    /// later number can commit first and a reader would skip the earlier one for good.
    /// $1 count, $2 namespaces, $3 keys, $4 encoded bins, in feed order. Returns the last sequence allocated.
    /// </summary>
    public string AppendChanges => $"""
        WITH c AS (
            UPDATE {Q("feed_counter")} SET last_seq = last_seq + $1 WHERE id = 1 RETURNING last_seq
        ), appended AS (
            INSERT INTO {Q("changes")} (seq, namespace, key, bin)
            SELECT c.last_seq - $1 + u.ord, u.namespace, u.key, u.bin
            FROM c, unnest($2::text[], $3::text[], $4::bytea[]) WITH ORDINALITY AS u(namespace, key, bin, ord)
        )
        SELECT last_seq FROM c
        """;

    public string Notify => "SELECT pg_notify($1, p) FROM unnest($2::text[]) AS p";

    public string SaveInboundPosition => $"""
        INSERT INTO {Q("inbound_positions")} (source, applied_through) VALUES ($1, $2)
        ON CONFLICT (source) DO UPDATE SET applied_through = excluded.applied_through
        """;

    public string ReadRecord => $"SELECT data, version FROM {Q("records")} WHERE namespace = $1 AND key = $2";

    public string ReadChanges => $"SELECT seq, namespace, key, bin FROM {Q("changes")} WHERE seq > $1 ORDER BY seq LIMIT $2";

    public string LastSequence => $"SELECT last_seq FROM {Q("feed_counter")} WHERE id = 1";

    public string GetCheckpoint => $"SELECT sequence FROM {Q("checkpoints")} WHERE name = $1";

    public string SaveCheckpoint => $"""
        INSERT INTO {Q("checkpoints")} (name, sequence) VALUES ($1, $2)
        ON CONFLICT (name) DO UPDATE SET sequence = excluded.sequence
        """;

    public string GetInboundPosition => $"SELECT applied_through FROM {Q("inbound_positions")} WHERE source = $1";

    public string ScanFirst => $"SELECT namespace, key, data FROM {Q("records")} ORDER BY namespace, key LIMIT $1";

    public string ScanAfter => $"""
        SELECT namespace, key, data FROM {Q("records")}
        WHERE (namespace, key) > ($1::text COLLATE "C", $2::text COLLATE "C")
        ORDER BY namespace, key LIMIT $3
        """;
}
