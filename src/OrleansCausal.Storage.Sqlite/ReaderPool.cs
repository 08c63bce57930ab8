using System.Collections.Concurrent;
using Microsoft.Data.Sqlite;

namespace OrleansCausal.Storage.Sqlite;

/// <summary>
/// Open read connections, reused across calls (WAL readers never block the writer, nor each other). Each keeps
/// its statements prepared by SQL text. Reads run outside explicit transactions: every statement sees the latest
/// committed state, including commits by other processes.
/// </summary>
internal sealed class ReaderPool(SqliteRecordStoreOptions options) : IDisposable
{
    private readonly ConcurrentBag<Reader> _idle = [];
    private int _idleCount;
    private volatile bool _disposed;

    public Reader Rent()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_idle.TryTake(out var reader))
        {
            Interlocked.Decrement(ref _idleCount);
            return reader;
        }

        return new Reader(SqliteConnections.Open(options, create: false));
    }

    public void Return(Reader reader)
    {
        if (_disposed)
        {
            reader.Dispose();
            return;
        }

        if (Interlocked.Increment(ref _idleCount) > options.MaxIdleReaders)
        {
            Interlocked.Decrement(ref _idleCount);
            reader.Dispose();
            return;
        }

        _idle.Add(reader);
        if (_disposed)
        {
            Drain();
        }
    }

    public void Dispose()
    {
        _disposed = true;
        Drain();
    }

    private void Drain()
    {
        while (_idle.TryTake(out var reader))
        {
            Interlocked.Decrement(ref _idleCount);
            reader.Dispose();
        }
    }

    internal sealed class Reader(SqliteConnection connection) : IDisposable
    {
        private readonly Dictionary<string, SqliteCommand> _commands = new(StringComparer.Ordinal);

        /// <summary>The prepared statement for <paramref name="sql"/>, bound to <paramref name="values"/>
        /// (parameters are named $p0, $p1, … in order).</summary>
        public SqliteCommand Command(string sql, params object[] values)
        {
            if (!_commands.TryGetValue(sql, out var command))
            {
                command = WriterCommands.Create(connection, sql, [.. Enumerable.Range(0, values.Length).Select(i => $"$p{i}")]);
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

            connection.Dispose();
        }
    }
}
