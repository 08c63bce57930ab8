using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace OrleansCausal.Storage.Sqlite;

/// <summary>The writer connection's statements, prepared once and reused for every batch.</summary>
internal sealed class WriterCommands : IDisposable
{
    private readonly SqliteCommand _selectRecord;
    private readonly SqliteCommand _upsertRecord;
    private readonly SqliteCommand _insertBin;
    private readonly SqliteCommand _deleteBin;
    private readonly SqliteCommand _insertChange;
    private readonly SqliteCommand _upsertCheckpoint;
    private readonly SqliteCommand _upsertInbound;
    private readonly SqliteCommand _deleteChanges;
    private readonly SqliteCommand _begin;
    private readonly SqliteCommand _commit;

    public WriterCommands(SqliteConnection connection)
    {
        _selectRecord = Create(connection, RecordRows.SelectOne, "$p0", "$p1");
        _upsertRecord = Create(connection,
            "INSERT INTO records (namespace, key, version, clock, operations) VALUES ($ns, $key, $version, $clock, $operations) " +
            "ON CONFLICT (namespace, key) DO UPDATE SET version = excluded.version, clock = excluded.clock, operations = excluded.operations",
            "$ns", "$key", "$version", "$clock", "$operations");
        _insertBin = Create(connection,
            "INSERT INTO bins (namespace, key, replica, counter, value, context, written_at, writer, operation) " +
            "VALUES ($ns, $key, $replica, $counter, $value, $context, $writtenAt, $writer, $operation)",
            "$ns", "$key", "$replica", "$counter", "$value", "$context", "$writtenAt", "$writer", "$operation");
        _deleteBin = Create(connection,
            "DELETE FROM bins WHERE namespace = $ns AND key = $key AND replica = $replica AND counter = $counter",
            "$ns", "$key", "$replica", "$counter");
        _insertChange = Create(connection, "INSERT INTO changes (namespace, key, bin) VALUES ($ns, $key, $bin) RETURNING seq", "$ns", "$key", "$bin");
        _upsertCheckpoint = Create(connection,
            "INSERT INTO checkpoints (name, seq) VALUES ($name, $seq) ON CONFLICT (name) DO UPDATE SET seq = excluded.seq", "$name", "$seq");
        _upsertInbound = Create(connection,
            "INSERT INTO inbound_positions (source, seq) VALUES ($source, $seq) ON CONFLICT (source) DO UPDATE SET seq = max(seq, excluded.seq)", "$source", "$seq");
        _deleteChanges = Create(connection, "DELETE FROM changes WHERE seq <= $through AND seq < (SELECT MAX(seq) FROM changes)", "$through");
        _begin = Create(connection, "BEGIN IMMEDIATE");
        _commit = Create(connection, "COMMIT");
    }

    /// <summary>Starts the batch's write transaction, taking the file's write lock at once.</summary>
    public void Begin() => _begin.ExecuteNonQuery();

    public void Commit() => _commit.ExecuteNonQuery();

    public StoredRecord SelectRecord(RecordKey key, string path, ILogger logger)
    {
        Bind(_selectRecord, key.Namespace, key.Key);
        using var rows = _selectRecord.ExecuteReader();
        return RecordRows.ReadOne(rows, path, key, logger);
    }

    /// <summary>Sets a record's version, clock and remembered operations (null: none).</summary>
    public void UpsertRecord(RecordKey key, long version, byte[] clock, byte[]? operations)
    {
        Bind(_upsertRecord, key.Namespace, key.Key, version, clock, (object?)operations ?? DBNull.Value);
        _upsertRecord.ExecuteNonQuery();
    }

    public void InsertBin(RecordKey key, BinRow bin)
    {
        Bind(_insertBin, key.Namespace, key.Key, bin.Replica, bin.Counter, (object?)bin.Value ?? DBNull.Value, bin.Context, bin.WrittenAtMs, (object?)bin.Writer ?? DBNull.Value,
            (object?)bin.Operation ?? DBNull.Value);
        _insertBin.ExecuteNonQuery();
    }

    public void DeleteBin(RecordKey key, (string Replica, long Counter) dot)
    {
        Bind(_deleteBin, key.Namespace, key.Key, dot.Replica, dot.Counter);
        _deleteBin.ExecuteNonQuery();
    }

    public long InsertChange(RecordKey key, byte[] bin)
    {
        Bind(_insertChange, key.Namespace, key.Key, bin);
        return (long)_insertChange.ExecuteScalar()!;
    }

    public void UpsertCheckpoint(string name, long sequence)
    {
        Bind(_upsertCheckpoint, name, sequence);
        _upsertCheckpoint.ExecuteNonQuery();
    }

    public void UpsertInbound(string source, long sequence)
    {
        Bind(_upsertInbound, source, sequence);
        _upsertInbound.ExecuteNonQuery();
    }

    /// <summary>Deletes the change-feed entries through a sequence except the newest; returns how many.</summary>
    public long DeleteChanges(long through)
    {
        Bind(_deleteChanges, through);
        return _deleteChanges.ExecuteNonQuery();
    }

    public void Dispose()
    {
        _begin.Dispose();
        _commit.Dispose();
        _deleteChanges.Dispose();
        _selectRecord.Dispose();
        _upsertRecord.Dispose();
        _insertBin.Dispose();
        _deleteBin.Dispose();
        _insertChange.Dispose();
        _upsertCheckpoint.Dispose();
        _upsertInbound.Dispose();
    }

    internal static SqliteCommand Create(SqliteConnection connection, string sql, params string[] parameters)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var name in parameters)
        {
            command.Parameters.Add(new SqliteParameter { ParameterName = name });
        }

        return command;
    }

    internal static void Bind(SqliteCommand command, params object[] values)
    {
        for (var i = 0; i < values.Length; i++)
        {
            command.Parameters[i].Value = values[i];
        }
    }
}
