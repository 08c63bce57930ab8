using Microsoft.Data.Sqlite;
using OrleansCausal.Core;

namespace OrleansCausal.Storage.Sqlite;

public sealed partial class SqliteRecordStore
{
    public Task<StoredRecord> LoadAsync(RecordKey key, CancellationToken cancellationToken) =>
        ReadWith(cancellationToken, "reading a record", key, reader =>
        {
            using var rows = reader.Command(RecordRows.SelectOne, key.Namespace, key.Key).ExecuteReader();
            return RecordRows.ReadOne(rows, _path, key, _logger);
        });

    public Task<IReadOnlyList<ChangeEntry>> ReadChangesAsync(long afterSequence, int maxCount, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxCount);
        return ReadWith<IReadOnlyList<ChangeEntry>>(cancellationToken, "reading the change feed", null, reader =>
        {
            var entries = new List<ChangeEntry>();
            using var rows = reader.Command("SELECT seq, namespace, key, bin FROM changes WHERE seq > $p0 ORDER BY seq LIMIT $p1", afterSequence, (long)maxCount)
                .ExecuteReader();
            while (rows.Read())
            {
                var sequence = rows.GetInt64(0);
                var key = new RecordKey(rows.GetString(1), rows.GetString(2));
                entries.Add(new ChangeEntry(sequence, key, RecordRows.DecodeBin(_path, sequence, key, (byte[])rows.GetValue(3))));
            }

            return entries;
        });
    }

    public Task<long> GetLastSequenceAsync(CancellationToken cancellationToken) =>
        ReadWith(cancellationToken, "reading the change feed", null, reader =>
            (long)reader.Command("SELECT COALESCE(MAX(seq), 0) FROM changes").ExecuteScalar()!);

    public Task<long> GetCheckpointAsync(string name, CancellationToken cancellationToken) =>
        ReadWith(cancellationToken, "reading a checkpoint", null, reader =>
            reader.Command("SELECT seq FROM checkpoints WHERE name = $p0", name).ExecuteScalar() as long? ?? 0);

    public Task<long> GetInboundPositionAsync(string source, CancellationToken cancellationToken) =>
        ReadWith(cancellationToken, "reading an inbound position", null, reader =>
            reader.Command("SELECT seq FROM inbound_positions WHERE source = $p0", source).ExecuteScalar() as long? ?? 0);

    /// <summary>
    /// Records in (namespace, key) order. SQLite compares TEXT bytewise (UTF-8), which is ordinal by code point; it
    /// differs from .NET's UTF-16 ordinal order only between supplementary characters and U+E000–U+FFFF.
    /// A corrupt record is logged and skipped (it cannot be resent), and the page is filled from the following rows.
    /// </summary>
    public Task<IReadOnlyList<(RecordKey Key, CausalRecord Record)>> ScanAsync(RecordKey? after, int maxCount, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxCount);
        return ReadWith<IReadOnlyList<(RecordKey, CausalRecord)>>(cancellationToken, "scanning records", null, reader =>
        {
            var page = new List<(RecordKey, CausalRecord)>();
            var cursor = after;
            var exhausted = false;
            while (page.Count < maxCount && !exhausted)
            {
                var want = maxCount - page.Count;
                using var rows = cursor is { } from
                    ? reader.Command(RecordRows.SelectPageAfter, from.Namespace, from.Key, (long)want).ExecuteReader()
                    : reader.Command(RecordRows.SelectFirstPage, (long)want).ExecuteReader();
                var records = RecordRows.ReadPage(rows, _path, _logger);
                var read = records.Count;
                foreach (var (key, record) in records)
                {
                    cursor = key;
                    if (record is not null)
                    {
                        // A corrupt record was logged by ReadPage and is skipped; the rest of the store stays available.
                        page.Add((key, record));
                    }
                }

                exhausted = read < want;
            }

            return page;
        });
    }

    /// <summary>Called on the reader thread before each read (tests hold or observe the reader with it).</summary>
    internal Action? BeforeRead { get; set; }

    /// <summary>Queues <paramref name="read"/> for a reader thread; errors name the file, the action and the key.</summary>
    private Task<T> ReadWith<T>(CancellationToken cancellationToken, string action, RecordKey? key, Func<ReadConnection, T> read)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled<T>(cancellationToken);
        }

        var readers = _readers ?? throw new InvalidOperationException($"Call {nameof(OpenAsync)} before using the store.");
        if (_closed)
        {
            throw Closed();
        }

        var operation = new ReadOperation<T>(connection =>
        {
            try
            {
                BeforeRead?.Invoke();
                return read(connection);
            }
            catch (Exception error) when (error is SqliteException or RecordStoreException or IOException)
            {
                throw SqliteErrors.Wrap(_path, action, error, key);
            }
        }, cancellationToken);
        if (!readers.TryEnqueue(operation))
        {
            throw Closed();
        }

        return operation.Task;
    }
}
