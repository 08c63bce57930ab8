using Microsoft.Data.Sqlite;

namespace OrleansCausal.Storage.Sqlite;

/// <summary>The writer connection's statements, prepared once and reused for every batch.</summary>
internal sealed class WriterCommands : IDisposable
{
    private readonly SqliteCommand _selectRecord;
    private readonly SqliteCommand _upsertRecord;
    private readonly SqliteCommand _insertChange;
    private readonly SqliteCommand _upsertCheckpoint;
    private readonly SqliteCommand _upsertInbound;

    public WriterCommands(SqliteConnection connection)
    {
        _selectRecord = Create(connection, "SELECT record FROM records WHERE namespace = $ns AND key = $key", "$ns", "$key");
        _upsertRecord = Create(connection,
            "INSERT INTO records (namespace, key, record) VALUES ($ns, $key, $record) ON CONFLICT (namespace, key) DO UPDATE SET record = excluded.record",
            "$ns", "$key", "$record");
        _insertChange = Create(connection, "INSERT INTO changes (namespace, key, bin) VALUES ($ns, $key, $bin) RETURNING seq", "$ns", "$key", "$bin");
        _upsertCheckpoint = Create(connection,
            "INSERT INTO checkpoints (name, seq) VALUES ($name, $seq) ON CONFLICT (name) DO UPDATE SET seq = excluded.seq", "$name", "$seq");
        _upsertInbound = Create(connection,
            "INSERT INTO inbound_positions (source, seq) VALUES ($source, $seq) ON CONFLICT (source) DO UPDATE SET seq = excluded.seq", "$source", "$seq");
    }

    public byte[]? SelectRecord(RecordKey key)
    {
        Bind(_selectRecord, key.Namespace, key.Key);
        return _selectRecord.ExecuteScalar() as byte[];
    }

    public void UpsertRecord(RecordKey key, byte[] record)
    {
        Bind(_upsertRecord, key.Namespace, key.Key, record);
        _upsertRecord.ExecuteNonQuery();
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

    public void Dispose()
    {
        _selectRecord.Dispose();
        _upsertRecord.Dispose();
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
