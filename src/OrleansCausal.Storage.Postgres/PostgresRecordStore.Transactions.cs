using Npgsql;
using NpgsqlTypes;
using OrleansCausal.Core;
using OrleansCausal.Core.Serialization;

namespace OrleansCausal.Storage.Postgres;

/// <summary>
/// The two round trips of every write transaction. BEGIN and COMMIT travel in the same batches as the statements,
/// so a group commit costs two round trips and one WAL flush, however many records it holds.
/// </summary>
public sealed partial class PostgresRecordStore
{
    /// <summary>The columns of <see cref="PostgresSql.SelectForUpdate"/> and <see cref="PostgresSql.SelectBins"/>.</summary>
    private const int RecordColumns = 5;
    private const int BinColumns = 2 + PostgresBinRow.ColumnCount;

    private static readonly byte[] EmptyClockBytes = CausalBinaryCodec.EncodeVector(VersionVector.Empty);

    /// <summary>Round trip 1: BEGIN, a row for every record of <paramref name="keys"/> (sorted), the rows locked in
    /// key order, and their bins. Returns each record's stored rows. Without <paramref name="insertMissing"/> no
    /// placeholder rows are made: records without a row are absent from the result, and the write creates them
    /// (<see cref="PostgresSql.InsertRecords"/>, which fails the transaction if another writer created one meanwhile).</summary>
    private async Task<Dictionary<RecordKey, PostgresStoredRows>> BeginAndLockAsync(NpgsqlConnection connection, IReadOnlyList<RecordKey> keys, bool insertMissing = true)
    {
        var namespaces = new string[keys.Count];
        var names = new string[keys.Count];
        for (var i = 0; i < keys.Count; i++)
        {
            namespaces[i] = keys[i].Namespace;
            names[i] = keys[i].Key;
        }

        await using var batch = new NpgsqlBatch(connection);
        batch.BatchCommands.Add(new NpgsqlBatchCommand("BEGIN"));
        if (keys.Count > 0)
        {
            if (insertMissing)
            {
                var insert = new NpgsqlBatchCommand(_sql.InsertMissing);
                insert.Parameters.Add(PostgresParameters.Text(namespaces));
                insert.Parameters.Add(PostgresParameters.Text(names));
                insert.Parameters.Add(new NpgsqlParameter { Value = EmptyClockBytes, NpgsqlDbType = NpgsqlDbType.Bytea });
                batch.BatchCommands.Add(insert);
            }

            var select = new NpgsqlBatchCommand(_sql.SelectForUpdate);
            select.Parameters.Add(PostgresParameters.Text(namespaces));
            select.Parameters.Add(PostgresParameters.Text(names));
            batch.BatchCommands.Add(select);
            var bins = new NpgsqlBatchCommand(_sql.SelectBins);
            bins.Parameters.Add(PostgresParameters.Text(namespaces));
            bins.Parameters.Add(PostgresParameters.Text(names));
            batch.BatchCommands.Add(bins);
        }

        var stored = new Dictionary<RecordKey, PostgresStoredRows>(keys.Count);
        await using var reader = await batch.ExecuteReaderAsync(CancellationToken.None).ConfigureAwait(false);
        do
        {
            // The records (4 columns) come before their bins (namespace, key and the bin columns). Any other result
            // set with columns is a bug: skipping it would hand back records without their bins, and a write
            // computed from those would drop or reissue bins.
            if (reader.FieldCount == 0)
            {
                continue;
            }

            if (reader.FieldCount is not (RecordColumns or BinColumns))
            {
                throw new InvalidOperationException(
                    $"Unexpected result set of {reader.FieldCount} columns while locking records in {Description}.");
            }

            while (await reader.ReadAsync(CancellationToken.None).ConfigureAwait(false))
            {
                var key = new RecordKey(reader.GetString(0), reader.GetString(1));
                if (reader.FieldCount == RecordColumns)
                {
                    stored[key] = new PostgresStoredRows(
                        reader.IsDBNull(2) ? null : reader.GetFieldValue<byte[]>(2), reader.GetInt64(3), reader.IsDBNull(4) ? null : reader.GetFieldValue<byte[]>(4));
                }
                else if (PostgresBinRow.Read(reader, 2) is { } bin)
                {
                    if (stored.TryGetValue(key, out var rows))
                    {
                        rows.Add(bin);
                    }
                    else if (insertMissing)
                    {
                        throw new InvalidOperationException($"Bins of {key}, whose record row was not locked, while locking records in {Description}.");
                    }

                    // Without placeholders: the record was created after its row was looked for (this statement reads a
                    // later snapshot). It stays "absent" here, so the write's creation of it fails and the merge retries.
                }
            }
        }
        while (await reader.NextResultAsync(CancellationToken.None).ConfigureAwait(false));

        return stored;
    }

    /// <summary>Round trip 2: the records' clocks and versions (checked), the bins that differ, the inbound position,
    /// the change-feed entries (the counter update is the last statement), and COMMIT (the notifications follow the
    /// commit: see <see cref="PostgresNotifier"/>). Returns the last change-feed sequence allocated (0 if none).</summary>
    /// <param name="optimistic">True for the single-round-trip write from cached records: BEGIN is sent here, and the
    /// transaction fails with <see cref="PostgresSql.StaleRecordState"/> when a record no longer has the version it was
    /// computed from. False after <see cref="BeginAndLockAsync"/> locked the rows (the check then always holds).</param>
    private async Task<long> WriteAndCommitAsync(NpgsqlConnection connection, PostgresTransactionWrites writes, bool optimistic = false)
    {
        await using var batch = new NpgsqlBatch(connection);
        if (optimistic)
        {
            batch.BatchCommands.Add(new NpgsqlBatchCommand("BEGIN"));
        }

        var updated = Enumerable.Range(0, writes.RecordKeys.Count).Where(i => !writes.Created[i]).ToList();
        if (updated.Count > 0)
        {
            // First: in the optimistic write this takes the row locks and checks the versions before any bin changes.
            var update = new NpgsqlBatchCommand(_sql.UpdateRecords);
            update.Parameters.Add(PostgresParameters.Text([.. updated.Select(i => writes.RecordKeys[i].Namespace)]));
            update.Parameters.Add(PostgresParameters.Text([.. updated.Select(i => writes.RecordKeys[i].Key)]));
            update.Parameters.Add(PostgresParameters.Bytea([.. updated.Select(i => writes.RecordClocks[i])]));
            update.Parameters.Add(PostgresParameters.Bigint([.. updated.Select(i => writes.RecordVersions[i])]));
            update.Parameters.Add(PostgresParameters.Bigint([.. updated.Select(i => writes.NewVersions[i])]));
            update.Parameters.Add(new NpgsqlParameter { Value = (long)updated.Count });
            update.Parameters.Add(PostgresParameters.Bytea([.. updated.Select(i => writes.RecordOperations[i])]));
            batch.BatchCommands.Add(update);
        }

        var created = Enumerable.Range(0, writes.RecordKeys.Count).Where(i => writes.Created[i]).ToList();
        if (created.Count > 0)
        {
            // Also before the bins: it takes the new rows' locks (and checks no other writer made them meanwhile).
            var creation = new NpgsqlBatchCommand(_sql.InsertRecords);
            creation.Parameters.Add(PostgresParameters.Text([.. created.Select(i => writes.RecordKeys[i].Namespace)]));
            creation.Parameters.Add(PostgresParameters.Text([.. created.Select(i => writes.RecordKeys[i].Key)]));
            creation.Parameters.Add(PostgresParameters.Bytea([.. created.Select(i => writes.RecordClocks[i])]));
            creation.Parameters.Add(PostgresParameters.Bigint([.. created.Select(i => writes.NewVersions[i])]));
            creation.Parameters.Add(new NpgsqlParameter { Value = (long)created.Count });
            creation.Parameters.Add(PostgresParameters.Bytea([.. created.Select(i => writes.RecordOperations[i])]));
            batch.BatchCommands.Add(creation);
        }

        if (writes.Bins.DeleteCommand(_sql) is { } delete)
        {
            batch.BatchCommands.Add(delete);
        }

        if (writes.Bins.InsertCommand(_sql) is { } insert)
        {
            batch.BatchCommands.Add(insert);
        }

        if (writes.Position is { } position)
        {
            var save = new NpgsqlBatchCommand(_sql.SaveInboundPosition);
            save.Parameters.Add(new NpgsqlParameter { Value = position.Source });
            save.Parameters.Add(new NpgsqlParameter { Value = position.AppliedThrough });
            batch.BatchCommands.Add(save);
        }

        var appendIndex = -1;
        if (writes.FeedKeys.Count > 0)
        {
            var append = new NpgsqlBatchCommand(_sql.AppendChanges);
            append.Parameters.Add(new NpgsqlParameter { Value = (long)writes.FeedKeys.Count });
            append.Parameters.Add(PostgresParameters.Text([.. writes.FeedKeys.Select(k => k.Namespace)]));
            append.Parameters.Add(PostgresParameters.Text([.. writes.FeedKeys.Select(k => k.Key)]));
            append.Parameters.Add(PostgresParameters.Bytea([.. writes.FeedBins]));
            appendIndex = batch.BatchCommands.Count;
            batch.BatchCommands.Add(append);
        }

        batch.BatchCommands.Add(new NpgsqlBatchCommand("COMMIT"));

        long lastSequence = 0;
        await using (var reader = await batch.ExecuteReaderAsync(CancellationToken.None).ConfigureAwait(false))
        {
            do
            {
                if (reader.FieldCount == 1 && reader.GetName(0) == "last_seq")
                {
                    while (await reader.ReadAsync(CancellationToken.None).ConfigureAwait(false))
                    {
                        lastSequence = reader.GetInt64(0);
                    }
                }
            }
            while (await reader.NextResultAsync(CancellationToken.None).ConfigureAwait(false));
        }

        if (appendIndex >= 0 && lastSequence == 0)
        {
            throw new RecordStoreException($"The change-feed counter of {Description} is missing; the schema is damaged.");
        }

        return lastSequence;
    }

    /// <summary>Commits writes computed from records that were not locked (cached, or assumed absent) in one round trip,
    /// their versions checked. Returns the last change-feed sequence allocated (0 if none), or null — nothing written,
    /// the records' cache entries dropped — when a record was not as assumed or anything else failed: the caller then
    /// takes the locking path, which reports errors properly.</summary>
    private async Task<long?> TryCommitUnlockedAsync(PostgresTransactionWrites writes)
    {
        NpgsqlConnection? connection = null;
        try
        {
            connection = await _dataSource!.OpenConnectionAsync(CancellationToken.None).ConfigureAwait(false);
            return await WriteAndCommitAsync(connection, writes, optimistic: true).ConfigureAwait(false);
        }
        catch (Exception)
        {
            foreach (var key in writes.RecordKeys)
            {
                _cache.Invalidate(key);
            }

            if (connection is not null)
            {
                await RollbackQuietlyAsync(connection).ConfigureAwait(false);
            }

            return null;
        }
        finally
        {
            if (connection is not null)
            {
                await connection.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    private static async Task RollbackQuietlyAsync(NpgsqlConnection connection)
    {
        if (connection.State != System.Data.ConnectionState.Open)
        {
            return;
        }

        try
        {
            await using var rollback = new NpgsqlCommand("ROLLBACK", connection);
            await rollback.ExecuteNonQueryAsync(CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception)
        {
            // The connection is broken; the server rolls the transaction back when the session ends.
        }
    }

    private string? NotificationFor(RecordKey key, long version)
    {
        var payload = PostgresNotification.Encode(_instanceId, key, version);
        if (System.Text.Encoding.UTF8.GetByteCount(payload) > PostgresNotification.MaxPayloadBytes)
        {
            PostgresRecordStoreLog.LogWarningNotificationTooLong(_logger, key.ToString());
            return null;
        }

        return payload;
    }

    /// <summary>Sorts keys the way the database orders them (COLLATE "C": by UTF-8 bytes, i.e. code points).</summary>
    private static int CompareKeys(RecordKey a, RecordKey b)
    {
        var byNamespace = CompareCodePoints(a.Namespace, b.Namespace);
        return byNamespace != 0 ? byNamespace : CompareCodePoints(a.Key, b.Key);
    }

    private static int CompareCodePoints(string a, string b)
    {
        var length = Math.Min(a.Length, b.Length);
        for (var i = 0; i < length; i++)
        {
            if (a[i] != b[i])
            {
                // Surrogates (0xD800-0xDFFF) encode code points above 0xFFFF, which sort after 0xE000-0xFFFF.
                var x = char.IsSurrogate(a[i]) ? a[i] + 0x10000 : a[i];
                var y = char.IsSurrogate(b[i]) ? b[i] + 0x10000 : b[i];
                return x.CompareTo(y);
            }
        }

        return a.Length.CompareTo(b.Length);
    }
}
