using Npgsql;

namespace OrleansCausal.Storage.Postgres;

/// <summary>Compaction, purge and figures (<see cref="IStoreMaintenance"/>). A purge locks the records it thins like
/// any writer, so it serializes with their writes and merges.</summary>
public sealed partial class PostgresRecordStore
{
    public async Task<StorageFigures> GetStorageFiguresAsync(CancellationToken cancellationToken)
    {
        var dataSource = EnsureOpen();
        try
        {
            await using var command = dataSource.CreateCommand($"""
                SELECT
                    (SELECT count(*) FROM {_sql.Q("records")} r WHERE EXISTS (SELECT 1 FROM {_sql.Q("bins")} b WHERE b.namespace = r.namespace AND b.key = r.key AND b.value IS NOT NULL)),
                    (SELECT count(*) FROM {_sql.Q("records")} r WHERE EXISTS (SELECT 1 FROM {_sql.Q("bins")} b WHERE b.namespace = r.namespace AND b.key = r.key)
                        AND NOT EXISTS (SELECT 1 FROM {_sql.Q("bins")} b WHERE b.namespace = r.namespace AND b.key = r.key AND b.value IS NOT NULL)),
                    (SELECT count(*) FROM {_sql.Q("changes")}),
                    (SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0)::bigint FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                        WHERE n.nspname = $1 AND c.relkind = 'r')
                """);
            command.Parameters.Add(new NpgsqlParameter { Value = _sql.Schema });
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            return new StorageFigures(reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3));
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw PostgresErrors.Translate(e, Description, _endpoint, "count records");
        }
    }

    public async Task<IReadOnlyDictionary<string, long>> GetInboundPositionsAsync(CancellationToken cancellationToken)
    {
        var dataSource = EnsureOpen();
        var positions = new Dictionary<string, long>(StringComparer.Ordinal);
        try
        {
            await using var command = dataSource.CreateCommand($"SELECT source, applied_through FROM {_sql.Q("inbound_positions")}");
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                positions[reader.GetString(0)] = reader.GetInt64(1);
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw PostgresErrors.Translate(e, Description, _endpoint, "read the inbound positions");
        }

        return positions;
    }

    public async Task<long> CompactFeedAsync(long through, CancellationToken cancellationToken)
    {
        var dataSource = EnsureOpen();
        try
        {
            // The counter row keeps the last sequence; the newest entry stays anyway, so a reader behind sees a hole.
            await using var command = dataSource.CreateCommand(
                $"DELETE FROM {_sql.Q("changes")} WHERE seq <= $1 AND seq < (SELECT max(seq) FROM {_sql.Q("changes")})");
            command.Parameters.Add(new NpgsqlParameter { Value = through });
            return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw PostgresErrors.Translate(e, Description, _endpoint, "compact the change feed");
        }
    }

    public async Task<IReadOnlyList<RecordKey>> PurgeAsync(IReadOnlyList<PurgeCandidate> candidates, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(candidates);
        var purged = new List<RecordKey>();
        if (candidates.Count == 0)
        {
            return purged;
        }

        var keys = candidates.Select(c => c.Key).Distinct().ToList();
        keys.Sort(CompareKeys);
        var byKey = candidates.ToDictionary(c => c.Key, c => c.Record);
        var thinned = new PostgresTransactionWrites();
        await using var connection = await EnsureOpen().OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var stored = await BeginAndLockAsync(connection, keys).ConfigureAwait(false);
            foreach (var key in keys)
            {
                var rows = stored[key];
                if (rows.Version == 0)
                {
                    continue;
                }

                var record = Decode(key, rows);
                if (!record.Equals(byKey[key]) || Tombstones.Without(record) is not { } remaining)
                {
                    continue;
                }

                // Only the tombstone bins go; the clock stays (a record left with no bin is its clock alone).
                purged.Add(key);
                thinned.AddRecord(key, record, remaining, rows.Version, rows.Version + 1);
                if (NotificationFor(key, rows.Version + 1) is { } payload)
                {
                    thinned.Notifications.Add(payload);
                }
            }

            // The thinned records' bins and versions, then COMMIT.
            await WriteAndCommitAsync(connection, thinned).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            await RollbackQuietlyAsync(connection).ConfigureAwait(false);
            throw PostgresErrors.Translate(e, Description, _endpoint, "purge tombstones");
        }

        for (var i = 0; i < thinned.RecordKeys.Count; i++)
        {
            _cache.Offer(thinned.RecordKeys[i], thinned.Records[i], thinned.NewVersions[i]);
        }

        _notifier!.Enqueue(thinned.Notifications);
        for (var i = 0; i < thinned.RecordKeys.Count; i++)
        {
            Raise(thinned.RecordKeys[i], isLocal: true, thinned.NewVersions[i]);
        }

        return purged;
    }
}
