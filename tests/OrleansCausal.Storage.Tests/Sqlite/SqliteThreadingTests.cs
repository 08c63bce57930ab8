using OrleansCausal.Core;
using OrleansCausal.Storage.Sqlite;

namespace OrleansCausal.Storage.Tests.Sqlite;

/// <summary>
/// SQLite's I/O is synchronous, so the store keeps it on its own threads: one writer thread (group commit) and a few
/// reader threads. These tests hold those threads with signals (a RecordChanged handler on the writer, the internal
/// <c>BeforeRead</c> hook on a reader) to observe where the work and the callers' continuations run.
/// </summary>
public sealed class SqliteThreadingTests : IAsyncLifetime
{
    private static readonly RegionId Region = RegionId.Parse("A");
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private readonly string _directory = SqliteTestFiles.NewDirectory();
    private readonly List<SqliteRecordStore> _stores = [];
    private readonly ManualResetEventSlim _release = new(false);

    private static CancellationToken Ct => new CancellationTokenSource(TimeSpan.FromSeconds(60)).Token;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        _release.Set();
        foreach (var store in _stores)
        {
            await store.DisposeAsync();
        }

        _release.Dispose();
        SqliteTestFiles.DeleteDirectory(_directory);
    }

    [Fact]
    public async Task Put_WhenCommitted_RunsOnTheWriterThreadAndContinuesOnTheThreadPool()
    {
        var (store, path) = await OpenAsync("writer.db");
        var writerThread = HoldWriterOn(store, Key("hold"));
        var held = store.PutAsync(new PutRequest(Key("hold"), "1", VersionVector.Empty), Ct);
        Assert.Equal(GroupCommitWriter.ThreadName(path), await Within(writerThread, "the writer to raise RecordChanged for the held put"));

        // Queued behind the held batch, so the continuation is registered before the put completes.
        var put = store.PutAsync(new PutRequest(Key("k"), "2", VersionVector.Empty), Ct);
        var continuedOn = put.ContinueWith(_ => CurrentThread(), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        Assert.False(put.IsCompleted, "the put completed while the writer was held");
        _release.Set();

        Assert.Equal((false, true), await Within(continuedOn, "the put's continuation"));
        Assert.Equal(2, (await Within(put, "the put")).Sequence);
        Assert.Equal(1, (await Within(held, "the held put")).Sequence);
    }

    [Fact]
    public async Task Load_WhenRead_RunsOnAReaderThreadAndContinuesOnTheThreadPool()
    {
        var (store, path) = await OpenAsync("reader.db", readerThreads: 1);
        var written = await store.PutAsync(new PutRequest(Key("k"), "1", VersionVector.Empty), Ct);
        var readerThread = new TaskCompletionSource<string?>(TaskCreationOptions.RunContinuationsAsynchronously);
        store.BeforeRead = () =>
        {
            readerThread.TrySetResult(Thread.CurrentThread.Name);
            _release.Wait(Timeout);
        };

        var read = store.LoadAsync(Key("k"), Ct);
        var continuedOn = read.ContinueWith(_ => CurrentThread(), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        Assert.Equal(ReaderThreads.ThreadName(path, 0), await Within(readerThread.Task, "the reader to start the read"));
        Assert.False(read.IsCompleted, "the read completed while its reader was held");
        _release.Set();

        Assert.Equal((false, true), await Within(continuedOn, "the read's continuation"));
        Assert.Equal(new StoredRecord(written.Record, 1), await Within(read, "the read"));
    }

    [Fact]
    public async Task Load_WhenCancelledWhileQueued_IsCancelledWithoutRunning()
    {
        var (store, _) = await OpenAsync("cancel.db", readerThreads: 1);
        await store.PutAsync(new PutRequest(Key("k"), "1", VersionVector.Empty), Ct);
        var started = 0;
        var readerHeld = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        store.BeforeRead = () =>
        {
            if (Interlocked.Increment(ref started) == 1)
            {
                readerHeld.TrySetResult();
                _release.Wait(Timeout);
            }
        };
        var first = store.LoadAsync(Key("k"), Ct);
        await Within(readerHeld.Task, "the only reader to start the first read");
        using var cancel = new CancellationTokenSource();
        var queued = store.LoadAsync(Key("k"), cancel.Token);

        await cancel.CancelAsync();

        // Cancelled while the only reader thread is still held: the read never started.
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Within(queued, "the queued read to be cancelled"));
        _release.Set();
        await Within(first, "the first read");
        await Within(store.LoadAsync(Key("k"), Ct), "a read after the cancelled one");
        Assert.Equal(2, Volatile.Read(ref started));
    }

    [Fact]
    public async Task Put_WhenBurstOf64IsQueuedWhileWriterIsBusy_SharesOneTransaction()
    {
        var (store, _) = await OpenAsync("burst.db");
        var writerThread = HoldWriterOn(store, Key("hold"));
        var held = store.PutAsync(new PutRequest(Key("hold"), "0", VersionVector.Empty), Ct);
        await Within(writerThread, "the writer to raise RecordChanged for the held put");
        var before = store.CommittedTransactions;

        var burst = Enumerable.Range(0, 64)
            .Select(i => store.PutAsync(new PutRequest(Key($"k{i}"), $"{i}", VersionVector.Empty), Ct))
            .ToArray();
        _release.Set();
        var results = await Within(Task.WhenAll(burst), "the burst of 64 puts");
        await Within(held, "the held put");

        Assert.Equal(Enumerable.Range(2, 64).Select(i => (long)i), results.Select(r => r.Sequence));
        Assert.Equal(before + 1, store.CommittedTransactions);
    }

    [Fact]
    public async Task Dispose_WhenWritesAreQueued_CommitsThemAllAndRefusesLaterOnes()
    {
        var (store, path) = await OpenAsync("dispose.db");
        var writerThread = HoldWriterOn(store, Key("hold"));
        var held = store.PutAsync(new PutRequest(Key("hold"), "0", VersionVector.Empty), Ct);
        await Within(writerThread, "the writer to raise RecordChanged for the held put");
        var queued = Enumerable.Range(0, 16)
            .Select(i => store.PutAsync(new PutRequest(Key($"k{i}"), $"{i}", VersionVector.Empty), Ct))
            .ToArray();

        var disposing = store.DisposeAsync().AsTask();
        var late = Assert.Throws<ObjectDisposedException>(() => { _ = store.PutAsync(new PutRequest(Key("late"), "1", VersionVector.Empty), Ct); });
        Assert.False(disposing.IsCompleted, "dispose finished while the writer was held with writes queued");
        _release.Set();
        await Within(disposing, "dispose to drain the queued writes");

        Assert.Contains(path, late.Message, StringComparison.Ordinal);
        Assert.Equal(1, (await Within(held, "the held put")).Sequence);
        Assert.Equal(Enumerable.Range(2, 16).Select(i => (long)i), (await Within(Task.WhenAll(queued), "the queued puts")).Select(r => r.Sequence));
        Assert.Throws<ObjectDisposedException>(() => { _ = store.LoadAsync(Key("k0"), Ct); });
        var (reopened, _) = await OpenAsync("dispose.db");
        Assert.Equal(17L, await reopened.GetLastSequenceAsync(Ct));
    }

    private static RecordKey Key(string key) => new("n", key);

    /// <summary>Whether the current thread is one of the store's (named <c>sqlite-…</c>), and a thread-pool one.</summary>
    private static (bool OnStoreThread, bool IsThreadPoolThread) CurrentThread() =>
        (Thread.CurrentThread.Name?.StartsWith("sqlite-", StringComparison.Ordinal) == true, Thread.CurrentThread.IsThreadPoolThread);

    private static async Task<T> Within<T>(Task<T> task, string phase)
    {
        try
        {
            return await task.WaitAsync(Timeout);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"Waited {Timeout} for {phase}; it did not complete.");
        }
    }

    private static async Task Within(Task task, string phase)
    {
        try
        {
            await task.WaitAsync(Timeout);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"Waited {Timeout} for {phase}; it did not complete.");
        }
    }

    /// <summary>Holds the writer thread inside the RecordChanged handler of <paramref name="key"/>'s commit until
    /// <see cref="_release"/> is set; the returned task gives the name of the thread that raised it.</summary>
    private Task<string?> HoldWriterOn(SqliteRecordStore store, RecordKey key)
    {
        var raisedOn = new TaskCompletionSource<string?>(TaskCreationOptions.RunContinuationsAsynchronously);
        store.RecordChanged += (_, e) =>
        {
            if (e.Key == key && raisedOn.TrySetResult(Thread.CurrentThread.Name))
            {
                _release.Wait(Timeout);
            }
        };
        return raisedOn.Task;
    }

    private async Task<(SqliteRecordStore Store, string Path)> OpenAsync(string file, int readerThreads = 2)
    {
        var path = Path.GetFullPath(Path.Combine(_directory, file));
        var store = new SqliteRecordStore(new SqliteRecordStoreOptions { Path = path, Region = Region, ReaderThreads = readerThreads });
        _stores.Add(store);
        await store.OpenAsync(Ct);
        return (store, path);
    }
}
