namespace OrleansCausal.Storage.Sqlite;

/// <summary>
/// A few dedicated background threads (<see cref="SqliteRecordStoreOptions.ReaderThreads"/>), each owning one read
/// connection, fed from one queue. Reads are synchronous in SQLite; running them here keeps them off grain turns
/// and the thread pool. WAL readers never block the writer, nor each other.
/// </summary>
internal sealed class ReaderThreads
{
    private readonly WorkQueue<ReadOperation> _queue = new();
    private readonly Task[] _stopped;

    public ReaderThreads(SqliteRecordStoreOptions options)
    {
        _stopped = new Task[options.ReaderThreads];
        for (var i = 0; i < _stopped.Length; i++)
        {
            var stopped = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _stopped[i] = stopped.Task;
            var thread = new Thread(() => Run(options, stopped))
            {
                IsBackground = true,
                Name = ThreadName(options.Path, i),
            };
            thread.Start();
        }
    }

    /// <summary>A reader thread's name: <c>sqlite-reader {index} {path}</c>.</summary>
    public static string ThreadName(string path, int index) => $"sqlite-reader {index} {path}";

    /// <summary>Queues <paramref name="read"/>; false once the readers are stopping (nothing was accepted).</summary>
    public bool TryEnqueue(ReadOperation read) => _queue.TryAdd(read);

    /// <summary>Refuses new reads, runs the ones already queued, closes the connections and stops the threads.</summary>
    public Task StopAsync()
    {
        _queue.Close();
        return Task.WhenAll(_stopped);
    }

    private void Run(SqliteRecordStoreOptions options, TaskCompletionSource stopped)
    {
        var connection = new ReadConnection(options);
        try
        {
            var next = new List<ReadOperation>(1);
            while (_queue.TakeBatch(next, 1))
            {
                next[0].Run(connection);
                next.Clear();
            }
        }
        finally
        {
            connection.Dispose();
            stopped.TrySetResult();
        }
    }
}
