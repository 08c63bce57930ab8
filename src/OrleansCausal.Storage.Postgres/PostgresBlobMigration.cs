using Npgsql;
using OrleansCausal.Core;
using OrleansCausal.Core.Serialization;

namespace OrleansCausal.Storage.Postgres;

/// <summary>
/// The C# step of schema migration 2 (one encoded blob per record → one row per bin), run inside the migration's
/// transaction: decodes every <c>records.data</c> blob with <see cref="CausalBinaryCodec"/>, writes its bins to the
/// <c>bins</c> table and its clock to <c>records.clock</c>, then drops <c>records.data</c>. Versions are kept. A blob
/// that cannot be decoded is moved, with the reason, to <c>corrupt_records</c> and its record keeps a NULL clock:
/// reading or writing it reports the record as corrupt (with its key), and every other record keeps working.
/// </summary>
internal static class PostgresBlobMigration
{
    private const int PageSize = 1000;

    public static async Task RunAsync(NpgsqlConnection connection, PostgresSql sql, CancellationToken cancellationToken)
    {
        RecordKey? after = null;
        while (true)
        {
            var page = await ReadPageAsync(connection, sql, after, cancellationToken).ConfigureAwait(false);
            if (page.Count == 0)
            {
                break;
            }

            await WritePageAsync(connection, sql, page, cancellationToken).ConfigureAwait(false);
            after = page[^1].Key;
        }

        await PostgresSchema.ExecuteAsync(connection, $"ALTER TABLE {sql.Q("records")} DROP COLUMN data", cancellationToken).ConfigureAwait(false);
    }

    private static async Task<List<(RecordKey Key, byte[] Data)>> ReadPageAsync(NpgsqlConnection connection, PostgresSql sql, RecordKey? after, CancellationToken cancellationToken)
    {
        var where = after is null ? string.Empty : """WHERE (namespace, key) > ($2::text COLLATE "C", $3::text COLLATE "C")""";
        await using var command = new NpgsqlCommand($"SELECT namespace, key, data FROM {sql.Q("records")} {where} ORDER BY namespace, key LIMIT $1", connection);
        command.Parameters.Add(new NpgsqlParameter { Value = PageSize });
        if (after is { } from)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = from.Namespace });
            command.Parameters.Add(new NpgsqlParameter { Value = from.Key });
        }

        var page = new List<(RecordKey Key, byte[] Data)>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            page.Add((new RecordKey(reader.GetString(0), reader.GetString(1)), reader.GetFieldValue<byte[]>(2)));
        }

        return page;
    }

    private static async Task WritePageAsync(NpgsqlConnection connection, PostgresSql sql, List<(RecordKey Key, byte[] Data)> page, CancellationToken cancellationToken)
    {
        var bins = new PostgresBinChanges();
        var clocks = new byte[]?[page.Count];
        var corrupt = new List<(RecordKey Key, byte[] Data, string Error)>();
        for (var i = 0; i < page.Count; i++)
        {
            var (key, data) = page[i];
            try
            {
                var record = CausalBinaryCodec.DecodeRecord(data);
                clocks[i] = CausalBinaryCodec.EncodeVector(record.Clock);
                foreach (var bin in record.Bins)
                {
                    bins.Insert(key, bin);
                }
            }
            catch (Exception e) when (e is InvalidDataException or ArgumentException or FormatException or OverflowException or IndexOutOfRangeException)
            {
                corrupt.Add((key, data, e.Message));
            }
        }

        await using var batch = new NpgsqlBatch(connection);
        var update = new NpgsqlBatchCommand($"""
            UPDATE {sql.Q("records")} AS r SET clock = u.clock
            FROM unnest($1::text[], $2::text[], $3::bytea[]) AS u(namespace, key, clock)
            WHERE r.namespace = u.namespace AND r.key = u.key
            """);
        update.Parameters.Add(PostgresParameters.Text([.. page.Select(p => p.Key.Namespace)]));
        update.Parameters.Add(PostgresParameters.Text([.. page.Select(p => p.Key.Key)]));
        update.Parameters.Add(PostgresParameters.Bytea(clocks));
        batch.BatchCommands.Add(update);
        if (bins.InsertCommand(sql, withOperations: false) is { } insert)
        {
            batch.BatchCommands.Add(insert);
        }

        if (corrupt.Count > 0)
        {
            var keep = new NpgsqlBatchCommand($"""
                INSERT INTO {sql.Q("corrupt_records")} (namespace, key, data, error)
                SELECT * FROM unnest($1::text[], $2::text[], $3::bytea[], $4::text[])
                """);
            keep.Parameters.Add(PostgresParameters.Text([.. corrupt.Select(c => c.Key.Namespace)]));
            keep.Parameters.Add(PostgresParameters.Text([.. corrupt.Select(c => c.Key.Key)]));
            keep.Parameters.Add(PostgresParameters.Bytea([.. corrupt.Select(c => c.Data)]));
            keep.Parameters.Add(PostgresParameters.Text([.. corrupt.Select(c => c.Error)]));
            batch.BatchCommands.Add(keep);
        }

        await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}
