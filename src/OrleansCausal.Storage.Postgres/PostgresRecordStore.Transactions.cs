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
    /// key order, and their bins. Returns each record's stored rows.</summary>
    private async Task<Dictionary<RecordKey, PostgresStoredRows>> BeginAndLockAsync(NpgsqlConnection connection, IReadOnlyList<RecordKey> keys)
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
            var insert = new NpgsqlBatchCommand(_sql.InsertMissing);
            insert.Parameters.Add(PostgresParameters.Text(namespaces));
            insert.Parameters.Add(PostgresParameters.Text(names));
            insert.Parameters.Add(new NpgsqlParameter { Value = EmptyClockBytes, NpgsqlDbType = NpgsqlDbType.Bytea });
            batch.BatchCommands.Add(insert);
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
                    stored[key].Add(bin);
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

        if (writes.RecordKeys.Count > 0)
        {
            // First: in the optimistic write this takes the row locks and checks the versions before any bin changes.
            var update = new NpgsqlBatchCommand(_sql.UpdateRecords);
            update.Parameters.Add(PostgresParameters.Text([.. writes.RecordKeys.Select(k => k.Namespace)]));
            update.Parameters.Add(PostgresParameters.Text([.. writes.RecordKeys.Select(k => k.Key)]));
            update.Parameters.Add(PostgresParameters.Bytea([.. writes.RecordClocks]));
            update.Parameters.Add(PostgresParameters.Bigint([.. writes.RecordVersions]));
            update.Parameters.Add(PostgresParameters.Bigint([.. writes.NewVersions]));
            update.Parameters.Add(new NpgsqlParameter { Value = (long)writes.RecordKeys.Count });
            update.Parameters.Add(PostgresParameters.Bytea([.. writes.RecordOperations]));
            batch.BatchCommands.Add(update);
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
