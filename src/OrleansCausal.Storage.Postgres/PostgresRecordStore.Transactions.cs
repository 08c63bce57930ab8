using Npgsql;
using NpgsqlTypes;
using OrleansCausal.Core;

namespace OrleansCausal.Storage.Postgres;

/// <summary>
/// The two round trips of every write transaction. BEGIN and COMMIT travel in the same batches as the statements,
/// so a group commit costs two round trips and one WAL flush, however many records it holds.
/// </summary>
public sealed partial class PostgresRecordStore
{
    /// <summary>Round trip 1: BEGIN, a row for every record of <paramref name="keys"/> (sorted), and the rows locked in
    /// key order. Returns each record's stored bytes.</summary>
    private async Task<Dictionary<RecordKey, (byte[] Data, long Version)>> BeginAndLockAsync(NpgsqlConnection connection, IReadOnlyList<RecordKey> keys)
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
            insert.Parameters.Add(TextArray(namespaces));
            insert.Parameters.Add(TextArray(names));
            insert.Parameters.Add(new NpgsqlParameter { Value = EmptyRecordBytes, NpgsqlDbType = NpgsqlDbType.Bytea });
            batch.BatchCommands.Add(insert);
            var select = new NpgsqlBatchCommand(_sql.SelectForUpdate);
            select.Parameters.Add(TextArray(namespaces));
            select.Parameters.Add(TextArray(names));
            batch.BatchCommands.Add(select);
        }

        var stored = new Dictionary<RecordKey, (byte[] Data, long Version)>(keys.Count);
        await using var reader = await batch.ExecuteReaderAsync(CancellationToken.None).ConfigureAwait(false);
        do
        {
            if (reader.FieldCount != 4)
            {
                continue;
            }

            while (await reader.ReadAsync(CancellationToken.None).ConfigureAwait(false))
            {
                stored[new RecordKey(reader.GetString(0), reader.GetString(1))] = (reader.GetFieldValue<byte[]>(2), reader.GetInt64(3));
            }
        }
        while (await reader.NextResultAsync(CancellationToken.None).ConfigureAwait(false));

        return stored;
    }

    /// <summary>Round trip 2: the new records, the inbound position, the change-feed entries (the counter update is
    /// the last statement), and COMMIT (the notifications follow the commit: see <see cref="PostgresNotifier"/>). Returns the last change-feed sequence allocated (0 if none).</summary>
    /// <param name="optimistic">True for the single-round-trip write: BEGIN is sent here, and each record is replaced
    /// only if it still has the version it was computed from (else the transaction fails with
    /// <see cref="PostgresSql.StaleRecordState"/>). False after <see cref="BeginAndLockAsync"/> locked the rows.</param>
    private async Task<long> WriteAndCommitAsync(NpgsqlConnection connection, TransactionWrites writes, bool optimistic = false)
    {
        await using var batch = new NpgsqlBatch(connection);
        if (optimistic)
        {
            batch.BatchCommands.Add(new NpgsqlBatchCommand("BEGIN"));
        }

        if (writes.RecordKeys.Count > 0)
        {
            var update = new NpgsqlBatchCommand(optimistic ? _sql.UpdateRecordsIfUnchanged : _sql.UpdateRecords);
            update.Parameters.Add(TextArray(writes.RecordKeys.Select(k => k.Namespace).ToArray()));
            update.Parameters.Add(TextArray(writes.RecordKeys.Select(k => k.Key).ToArray()));
            update.Parameters.Add(ByteaArray(writes.RecordData.ToArray()));
            if (optimistic)
            {
                update.Parameters.Add(new NpgsqlParameter { Value = writes.RecordVersions.ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bigint });
                update.Parameters.Add(new NpgsqlParameter { Value = (long)writes.RecordKeys.Count });
            }

            batch.BatchCommands.Add(update);
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
            append.Parameters.Add(TextArray(writes.FeedKeys.Select(k => k.Namespace).ToArray()));
            append.Parameters.Add(TextArray(writes.FeedKeys.Select(k => k.Key).ToArray()));
            append.Parameters.Add(ByteaArray(writes.FeedBins.ToArray()));
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

    private string? NotificationFor(RecordKey key)
    {
        var payload = PostgresNotification.Encode(_instanceId, key);
        if (System.Text.Encoding.UTF8.GetByteCount(payload) > PostgresNotification.MaxPayloadBytes)
        {
            PostgresRecordStoreLog.LogWarningNotificationTooLong(_logger, key.ToString());
            return null;
        }

        return payload;
    }

    private static NpgsqlParameter TextArray(string[] values) =>
        new() { Value = values, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text };

    private static NpgsqlParameter ByteaArray(byte[][] values) =>
        new() { Value = values, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bytea };

    /// <summary>What one transaction writes.</summary>
    private sealed class TransactionWrites
    {
        public List<RecordKey> RecordKeys { get; } = [];

        public List<byte[]> RecordData { get; } = [];

        /// <summary>The version each record had when the new one was computed from it (the new version is one more).</summary>
        public List<long> RecordVersions { get; } = [];

        /// <summary>The new records, for the cache.</summary>
        public List<CausalRecord> Records { get; } = [];

        public List<RecordKey> FeedKeys { get; } = [];

        public List<byte[]> FeedBins { get; } = [];

        /// <summary>Sent by <see cref="PostgresNotifier"/> once the transaction committed.</summary>
        public List<string> Notifications { get; } = [];

        public InboundPosition? Position { get; set; }
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
