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

    // The statements of the put and read paths are built once per store (each is a few hundred characters, and
    // Npgsql looks its prepared statement up by the text at every execution).
    private string? _insertMissing;
    private string? _selectForUpdate;
    private string? _selectBins;
    private string? _writeRecords;
    private string? _readRecord;

    /// <summary>Placeholder rows (version 0, empty clock, no bins) for records not written yet, so that every record of
    /// a batch has a row to lock. $1 namespaces, $2 keys (sorted), $3 the encoded empty clock.</summary>
    public string InsertMissing => _insertMissing ??= $"""
        INSERT INTO {Q("records")} (namespace, key, clock)
        SELECT u.namespace, u.key, $3 FROM unnest($1::text[], $2::text[]) AS u(namespace, key)
        ON CONFLICT (namespace, key) DO NOTHING
        """;

    /// <summary>Locks the batch's records in (namespace, key) order — ORDER BY is applied before the locks are taken —
    /// so that concurrent transactions lock in one global order and cannot deadlock on each other. Every writer of a
    /// record's bins holds this lock, so the bins read after it (<see cref="SelectBins"/>) are the latest committed.</summary>
    public string SelectForUpdate => _selectForUpdate ??= $"""
        SELECT r.namespace, r.key, r.clock, r.version, r.operations FROM {Q("records")} AS r
        WHERE (r.namespace, r.key) IN (SELECT u.namespace, u.key FROM unnest($1::text[], $2::text[]) AS u(namespace, key))
        ORDER BY r.namespace, r.key
        FOR UPDATE
        """;

    /// <summary>The bins of the batch's records. $1 namespaces, $2 keys.</summary>
    public string SelectBins => _selectBins ??= $"""
        SELECT b.namespace, b.key, {BinColumns("b")} FROM {Q("bins")} AS b
        WHERE (b.namespace, b.key) IN (SELECT u.namespace, u.key FROM unnest($1::text[], $2::text[]) AS u(namespace, key))
        """;

    /// <summary>
    /// Sets each record's clock and version, only if it still has the version the write was computed from: after
    /// <see cref="SelectForUpdate"/> that always holds; in the single-round-trip write from cached records the UPDATE
    /// locks the row and re-checks the version on the latest committed row, and fails the whole transaction with
    /// SQLSTATE <see cref="StaleRecordState"/> when any record changed meanwhile. It runs before the bin statements,
    /// so they only ever run under the row lock.
    /// $1 namespaces, $2 keys, $3 new clocks, $4 expected versions, $5 new versions, $6 how many rows must change,
    /// $7 the remembered operations (NULL: none).
    /// </summary>
    public string UpdateRecords => $"""
        WITH changed AS (
            UPDATE {Q("records")} AS r SET clock = u.clock, version = u.new_version, operations = u.operations
            FROM unnest($1::text[], $2::text[], $3::bytea[], $4::bigint[], $5::bigint[], $7::bytea[]) AS u(namespace, key, clock, version, new_version, operations)
            WHERE r.namespace = u.namespace AND r.key = u.key AND r.version = u.version
            RETURNING 1)
        SELECT {Q("expect_rows")}((SELECT count(*) FROM changed), $6)
        """;

    /// <summary>
    /// Creates records that had no row when their new state was computed (a merge's new keys: no placeholder row is
    /// written first). A row that appeared meanwhile (another writer created the record) is left alone and fails the
    /// whole transaction with SQLSTATE <see cref="StaleRecordState"/>; the new row stays locked until the commit, so
    /// the bin statements that follow run under it as under <see cref="UpdateRecords"/>.
    /// $1 namespaces, $2 keys, $3 clocks, $4 versions, $5 how many rows must be created, $6 the remembered operations
    /// (NULL: none).
    /// </summary>
    public string InsertRecords => $"""
        WITH created AS (
            INSERT INTO {Q("records")} (namespace, key, clock, version, operations)
            SELECT * FROM unnest($1::text[], $2::text[], $3::bytea[], $4::bigint[], $6::bytea[])
            ON CONFLICT (namespace, key) DO NOTHING
            RETURNING 1)
        SELECT {Q("expect_rows")}((SELECT count(*) FROM created), $5)
        """;

    /// <summary>$1 namespaces, $2 keys, $3 regions, $4 epochs, $5 counters of the bins to delete.</summary>
    public string DeleteBins => $"""
        DELETE FROM {Q("bins")} AS b
        USING unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::bigint[]) AS u(namespace, key, region, epoch, counter)
        WHERE b.namespace = u.namespace AND b.key = u.key AND b.replica_region = u.region
            AND b.replica_epoch = u.epoch AND b.counter = u.counter
        """;

    /// <summary>$1 namespaces, $2 keys, $3 regions, $4 epochs, $5 counters, $6 values, $7 contexts, $8 accepted times,
    /// $9 writers, $10 operation ids.</summary>
    public string InsertBins => $"""
        INSERT INTO {Q("bins")} (namespace, key, replica_region, replica_epoch, counter, value, context, written_at, writer, operation)
        SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::bigint[], $6::text[], $7::bytea[], $8::timestamptz[], $9::text[], $10::text[])
        """;

    /// <summary>As <see cref="InsertBins"/> without the operation ids: the schema-2 columns, for that migration.</summary>
    public string InsertBinsWithoutOperations => $"""
        INSERT INTO {Q("bins")} (namespace, key, replica_region, replica_epoch, counter, value, context, written_at, writer)
        SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::bigint[], $6::text[], $7::bytea[], $8::timestamptz[], $9::text[])
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

    /// <summary>
    /// The whole write of a batch of puts and conditional writes, as one statement (one data-modifying CTE), so a lone
    /// put is one statement in one round trip and commits by itself (no BEGIN / COMMIT around it). It does what
    /// <see cref="UpdateRecords"/>, <see cref="DeleteBins"/>, <see cref="InsertBins"/> and <see cref="AppendChanges"/> do
    /// in four statements, in the same order and with the same guarantees:
    /// <list type="bullet">
    /// <item><c>changed</c> sets each record's clock and version only where the row still has the version the write was
    /// computed from (the compare-and-set against other silos), locking the row; the final SELECT fails the whole
    /// statement with SQLSTATE <see cref="StaleRecordState"/> unless every record changed.</item>
    /// <item>Everything else is guarded by <c>checked</c>, a one-time condition that reads the whole of <c>changed</c>
    /// before any bin, counter or feed row is touched: the bins change only under the records' row locks and only once
    /// every version check held (as when they were separate statements after the UPDATE); nothing else is written
    /// when one failed. That also makes them safe with the statement's one snapshot: a record whose version is
    /// unchanged at the lock has had no bin written since the snapshot, because every bin writer holds that lock and
    /// bumps the version.</item>
    /// <item>So the feed counter row is still the last lock taken, held until the commit: allocations are serialized
    /// and transactions commit in sequence order, so the feed stays gap-free in commit order (see
    /// <see cref="AppendChanges"/>). No feed entries: the counter is not touched.</item>
    /// </list>
    /// Records: $1 namespaces, $2 keys, $3 new clocks, $4 expected versions, $5 new versions, $6 remembered operations
    /// (NULL: none). Bins to delete: $7–$11 as <see cref="DeleteBins"/> takes them. Bins to insert: $12–$21 as
    /// <see cref="InsertBins"/> takes them. Feed, in feed order: $22 namespaces, $23 keys, $24 encoded bins. Returns one
    /// row: last_seq, the last sequence allocated (NULL when there are no feed entries).
    /// </summary>
    public string WriteRecords => _writeRecords ??= $"""
        WITH changed AS (
            UPDATE {Q("records")} AS r SET clock = u.clock, version = u.new_version, operations = u.operations
            FROM unnest($1::text[], $2::text[], $3::bytea[], $4::bigint[], $5::bigint[], $6::bytea[])
                AS u(namespace, key, clock, version, new_version, operations)
            WHERE r.namespace = u.namespace AND r.key = u.key AND r.version = u.version
            RETURNING 1),
        checked AS (
            SELECT count(*) = cardinality($1::text[]) AS ok FROM changed),
        removed AS (
            DELETE FROM {Q("bins")} AS b
            USING unnest($7::text[], $8::text[], $9::text[], $10::bigint[], $11::bigint[]) AS d(namespace, key, region, epoch, counter)
            WHERE (SELECT ok FROM checked) AND b.namespace = d.namespace AND b.key = d.key
                AND b.replica_region = d.region AND b.replica_epoch = d.epoch AND b.counter = d.counter),
        added AS (
            INSERT INTO {Q("bins")} (namespace, key, replica_region, replica_epoch, counter, value, context, written_at, writer, operation)
            SELECT * FROM unnest($12::text[], $13::text[], $14::text[], $15::bigint[], $16::bigint[], $17::text[], $18::bytea[], $19::timestamptz[], $20::text[], $21::text[])
            WHERE (SELECT ok FROM checked)),
        counter AS (
            UPDATE {Q("feed_counter")} SET last_seq = last_seq + cardinality($24::bytea[])
            WHERE id = 1 AND cardinality($24::bytea[]) > 0 AND (SELECT ok FROM checked)
            RETURNING last_seq),
        appended AS (
            INSERT INTO {Q("changes")} (seq, namespace, key, bin)
            SELECT n.last_seq - cardinality($24::bytea[]) + f.ord, f.namespace, f.key, f.bin
            FROM counter AS n, unnest($22::text[], $23::text[], $24::bytea[]) WITH ORDINALITY AS f(namespace, key, bin, ord))
        SELECT (SELECT last_seq FROM counter) AS last_seq
        FROM {Q("expect_rows")}((SELECT count(*) FROM changed), cardinality($1::text[])) AS verified
        """;

    public string Notify => "SELECT pg_notify($1, p) FROM unnest($2::text[]) AS p";

    public string SaveInboundPosition => $"""
        INSERT INTO {Q("inbound_positions")} AS p (source, applied_through) VALUES ($1, $2)
        ON CONFLICT (source) DO UPDATE SET applied_through = GREATEST(p.applied_through, excluded.applied_through)
        """;

    /// <summary>One record: its version, clock and remembered operations, then one row per bin (bin columns NULL when
    /// it has none); a single statement, so one snapshot.</summary>
    public string ReadRecord => _readRecord ??= $"""
        SELECT r.version, r.clock, r.operations, {BinColumns("b")} FROM {Q("records")} AS r
        LEFT JOIN {Q("bins")} AS b ON b.namespace = r.namespace AND b.key = r.key
        WHERE r.namespace = $1 AND r.key = $2
        """;

    public string ReadChanges => $"SELECT seq, namespace, key, bin FROM {Q("changes")} WHERE seq > $1 ORDER BY seq LIMIT $2";

    public string LastSequence => $"SELECT last_seq FROM {Q("feed_counter")} WHERE id = 1";

    public string GetCheckpoint => $"SELECT sequence FROM {Q("checkpoints")} WHERE name = $1";

    public string SaveCheckpoint => $"""
        INSERT INTO {Q("checkpoints")} (name, sequence) VALUES ($1, $2)
        ON CONFLICT (name) DO UPDATE SET sequence = excluded.sequence
        """;

    public string GetInboundPosition => $"SELECT applied_through FROM {Q("inbound_positions")} WHERE source = $1";

    public string ScanFirst => Scan(string.Empty, "$1");

    public string ScanAfter => Scan("""WHERE (namespace, key) > ($1::text COLLATE "C", $2::text COLLATE "C")""", "$3");

    /// <summary>The columns <see cref="PostgresBinRow"/> is read from, in order.</summary>
    private static string BinColumns(string alias) =>
        $"{alias}.replica_region, {alias}.replica_epoch, {alias}.counter, {alias}.value, {alias}.context, {alias}.written_at, {alias}.writer, {alias}.operation";

    /// <summary>A page of records in key order with their bins, in one statement (one snapshot).</summary>
    private string Scan(string where, string limit) => $"""
        WITH r AS (
            SELECT namespace, key, clock, version, operations FROM {Q("records")} {where}
            ORDER BY namespace, key LIMIT {limit})
        SELECT r.namespace, r.key, r.version, r.clock, r.operations, {BinColumns("b")} FROM r
        LEFT JOIN {Q("bins")} AS b ON b.namespace = r.namespace AND b.key = r.key
        ORDER BY r.namespace, r.key
        """;
}
