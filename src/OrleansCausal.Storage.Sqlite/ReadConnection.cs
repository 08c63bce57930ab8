using Microsoft.Data.Sqlite;

namespace OrleansCausal.Storage.Sqlite;

/// <summary>
/// One reader thread's read connection, opened on its first use (on that thread, so a failure to open is reported
/// by the read that needed it) and kept with its statements prepared by SQL text. Reads run outside explicit
/// transactions: in WAL mode every statement sees the latest committed state, including commits by other processes.
/// </summary>
internal sealed class ReadConnection(SqliteRecordStoreOptions options) : IDisposable
{
    private readonly Dictionary<string, SqliteCommand> _commands = new(StringComparer.Ordinal);
    private SqliteConnection? _connection;

    /// <summary>The prepared statement for <paramref name="sql"/>, bound to <paramref name="values"/>
    /// (parameters are named $p0, $p1, … in order).</summary>
    public SqliteCommand Command(string sql, params object[] values)
    {
        if (!_commands.TryGetValue(sql, out var command))
        {
            _connection ??= SqliteConnections.Open(options, create: false);
            command = WriterCommands.Create(_connection, sql, [.. Enumerable.Range(0, values.Length).Select(i => $"$p{i}")]);
            _commands[sql] = command;
        }

        WriterCommands.Bind(command, values);
        return command;
    }

    public void Dispose()
    {
        foreach (var command in _commands.Values)
        {
            command.Dispose();
        }

        _commands.Clear();
        _connection?.Dispose();
        _connection = null;
    }
}
