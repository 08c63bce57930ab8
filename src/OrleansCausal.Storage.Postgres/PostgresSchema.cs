using Npgsql;

namespace OrleansCausal.Storage.Postgres;

/// <summary>
/// Creates and migrates the store's tables. Versions are recorded in <c>schema_version</c>; each migration runs once,
/// forward only, in the transaction that records it. A database whose schema is newer than this build knows is
/// refused. Opens by several silos at once are serialized with a transaction-scoped advisory lock.
/// </summary>
internal static class PostgresSchema
{
    public const int CurrentVersion = 3;

    /// <summary>Migration n brings the schema from version n-1 to n. Add new ones at the end; never edit old ones.</summary>
    private static readonly Func<PostgresSql, string>[] Migrations =
    [
        sql => $"""
            CREATE TABLE {sql.Q("meta")} (
                id int PRIMARY KEY CHECK (id = 1),
                region text NOT NULL,
                epoch bigint NOT NULL,
                created_at timestamptz NOT NULL DEFAULT now());
            CREATE TABLE {sql.Q("records")} (
                namespace text COLLATE "C" NOT NULL,
                key text COLLATE "C" NOT NULL,
                data bytea NOT NULL,
                version bigint NOT NULL DEFAULT 0,
                PRIMARY KEY (namespace, key));
            CREATE TABLE {sql.Q("changes")} (
                seq bigint PRIMARY KEY,
                namespace text COLLATE "C" NOT NULL,
                key text COLLATE "C" NOT NULL,
                bin bytea NOT NULL);
            CREATE TABLE {sql.Q("feed_counter")} (
                id int PRIMARY KEY CHECK (id = 1),
                last_seq bigint NOT NULL);
            INSERT INTO {sql.Q("feed_counter")} (id, last_seq) VALUES (1, 0);
            CREATE TABLE {sql.Q("checkpoints")} (
                name text PRIMARY KEY,
                sequence bigint NOT NULL);
            CREATE TABLE {sql.Q("inbound_positions")} (
                source text PRIMARY KEY,
                applied_through bigint NOT NULL);
            CREATE FUNCTION {sql.Q("expect_rows")}(actual bigint, expected bigint) RETURNS void LANGUAGE plpgsql AS $$
            BEGIN
                IF actual <> expected THEN
                    RAISE EXCEPTION 'a record changed since it was cached (% of % unchanged)', actual, expected
                        USING ERRCODE = '{PostgresSql.StaleRecordState}';
                END IF;
            END $$;
            """,
        sql => $"""
            CREATE TABLE {sql.Q("bins")} (
                namespace text COLLATE "C" NOT NULL,
                key text COLLATE "C" NOT NULL,
                replica_region text COLLATE "C" NOT NULL,
                replica_epoch bigint NOT NULL,
                counter bigint NOT NULL,
                value text NULL,
                context bytea NOT NULL,
                written_at timestamptz NOT NULL,
                writer text NULL,
                PRIMARY KEY (namespace, key, replica_region, replica_epoch, counter));
            ALTER TABLE {sql.Q("records")} ADD COLUMN clock bytea NULL;
            CREATE TABLE {sql.Q("corrupt_records")} (
                namespace text COLLATE "C" NOT NULL,
                key text COLLATE "C" NOT NULL,
                data bytea NOT NULL,
                error text NOT NULL,
                found_at timestamptz NOT NULL DEFAULT now(),
                PRIMARY KEY (namespace, key));
            """,
        // Operation ids (idempotent writes): NULL in every existing row, which reads as before.
        sql => $"""
            ALTER TABLE {sql.Q("bins")} ADD COLUMN operation text NULL;
            ALTER TABLE {sql.Q("records")} ADD COLUMN operations bytea NULL;
            """,
    ];

    /// <summary>C# steps run after migration n's SQL, in the same transaction (index n-1; null when none).</summary>
    private static readonly Func<NpgsqlConnection, PostgresSql, CancellationToken, Task>?[] MigrationSteps =
    [
        null,
        PostgresBlobMigration.RunAsync,
        null,
    ];

    /// <summary>Brings the schema to <see cref="CurrentVersion"/> inside <paramref name="transaction"/>; returns the
    /// version found before (0 for a new database).</summary>
    /// <param name="targetVersion">The version to stop at: <see cref="CurrentVersion"/> except in tests that build a
    /// database at an older schema.</param>
    public static async Task<int> EnsureAsync(NpgsqlConnection connection, PostgresSql sql, string description, CancellationToken cancellationToken, int targetVersion = CurrentVersion)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(targetVersion, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(targetVersion, CurrentVersion);
        await using (var lockCommand = new NpgsqlCommand("SELECT pg_advisory_xact_lock(hashtext($1))", connection))
        {
            lockCommand.Parameters.Add(new NpgsqlParameter { Value = $"orleanscausal.schema.{sql.Schema}" });
            await lockCommand.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await using (var exists = new NpgsqlCommand("SELECT count(*) FROM pg_namespace WHERE nspname = $1", connection))
        {
            exists.Parameters.Add(new NpgsqlParameter { Value = sql.Schema });
            if ((long)(await exists.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))! == 0)
            {
                await ExecuteAsync(connection, $"CREATE SCHEMA \"{sql.Schema}\"", cancellationToken).ConfigureAwait(false);
            }
        }

        await ExecuteAsync(connection, $"""
            CREATE TABLE IF NOT EXISTS {sql.Q("schema_version")} (
                version int PRIMARY KEY,
                applied_at timestamptz NOT NULL DEFAULT now())
            """, cancellationToken).ConfigureAwait(false);

        int found;
        await using (var current = new NpgsqlCommand($"SELECT coalesce(max(version), 0) FROM {sql.Q("schema_version")}", connection))
        {
            found = (int)(await current.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
        }

        if (found > CurrentVersion)
        {
            throw new RecordStoreException(
                $"The PostgreSQL store {description} has schema version {found}, newer than this build supports ({CurrentVersion}). " +
                "It was written by a newer OrleansCausal; run that version (or newer) instead. Nothing was changed.");
        }

        for (var version = found + 1; version <= targetVersion; version++)
        {
            await ExecuteAsync(connection, Migrations[version - 1](sql), cancellationToken).ConfigureAwait(false);
            if (MigrationSteps[version - 1] is { } step)
            {
                await step(connection, sql, cancellationToken).ConfigureAwait(false);
            }

            await using var record = new NpgsqlCommand($"INSERT INTO {sql.Q("schema_version")} (version) VALUES ($1)", connection);
            record.Parameters.Add(new NpgsqlParameter { Value = version });
            await record.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        return found;
    }

    internal static async Task ExecuteAsync(NpgsqlConnection connection, string text, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(text, connection);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}
