using System.Collections.Concurrent;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using OrleansCausal.Core;

namespace OrleansCausal.Storage.Sqlite;

/// <summary>
/// The embedded store: one SQLite file in WAL mode. Writes are queued and applied by one writer at a time per store
/// instance, which takes what is queued (up to <see cref="SqliteRecordStoreOptions.MaxBatchSize"/> operations), applies
/// it in one <c>BEGIN IMMEDIATE</c> transaction and commits once (group commit). The read-modify-write of each record
/// happens inside that transaction, so other threads, store instances and processes on the same file serialize on
/// SQLite's write lock (waiting up to the busy timeout) and never lose a bin or issue a dot twice.
/// </summary>
public sealed partial class SqliteRecordStore : IRecordStore
{
    private readonly SqliteRecordStoreOptions _options;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly string _path;
    private readonly ConcurrentQueue<WriteOperation> _queue = new();
    private readonly SemaphoreSlim _writerGate = new(1, 1);
    private volatile bool _open;
    private volatile bool _closed;
    private SqliteConnection? _writer;
    private WriterCommands? _commands;
    private ReaderPool? _readers;
    private ReplicaId _replica;

    public SqliteRecordStore(SqliteRecordStoreOptions options, ILogger<SqliteRecordStore>? logger = null, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _path = System.IO.Path.GetFullPath(options.Path);
        _options = new SqliteRecordStoreOptions
        {
            Path = _path,
            Region = options.Region,
            MaxBatchSize = options.MaxBatchSize,
            BusyTimeout = options.BusyTimeout,
            MaxIdleReaders = options.MaxIdleReaders,
            MaxFileSizeBytes = options.MaxFileSizeBytes,
        };
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _time = time ?? TimeProvider.System;
    }

    public ReplicaId Replica => _open ? _replica : throw new InvalidOperationException($"Call {nameof(OpenAsync)} before using the store.");

    public string Description => $"sqlite:{_path}";

    public event EventHandler<RecordChangedEventArgs>? RecordChanged;

    public Task OpenAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (_open || _closed)
        {
            throw new InvalidOperationException($"The store {Description} is already open or closed.");
        }

        try
        {
            var directory = System.IO.Path.GetDirectoryName(_path);
            if (!string.IsNullOrEmpty(directory))
            {
                Directory.CreateDirectory(directory);
            }

            _writer = SqliteConnections.Open(_options, create: true);
            var (replica, created, from) = SqliteSchema.Open(_writer, _path, _options.Region, _time, _logger);
            if (created)
            {
                Log.LogInformationCreated(_logger, _path, replica.ToString());
            }

            if (from != 0 && from != SqliteSchema.CurrentVersion)
            {
                Log.LogInformationMigrated(_logger, _path, from, SqliteSchema.CurrentVersion);
            }

            _commands = new WriterCommands(_writer);
            _readers = new ReaderPool(_options);
            _replica = replica;
            Log.LogInformationOpened(_logger, _path, replica.ToString(), SqliteSchema.CurrentVersion);
        }
        catch (Exception error)
        {
            _commands?.Dispose();
            _writer?.Dispose();
            _commands = null;
            _writer = null;
            throw SqliteErrors.Wrap(_path, "opening the store", error);
        }

        _open = true;
        return Task.CompletedTask;
    }

    public Task<StoreWriteResult> PutAsync(PutRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentOutOfRangeException.ThrowIfLessThan(request.MaxBins, 1, nameof(request.MaxBins));
        // Millisecond precision: the stored form keeps milliseconds, so the returned bin equals the stored one.
        var writtenAt = DateTimeOffset.FromUnixTimeMilliseconds(_time.GetUtcNow().ToUnixTimeMilliseconds());
        return Enqueue(new PutOperation(request, Replica, writtenAt, cancellationToken)).Task;
    }

    public Task<RecordWriteResult> WriteAsync(RecordWrite write, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(write);
        ArgumentOutOfRangeException.ThrowIfNegative(write.ExpectedVersion, nameof(write.ExpectedVersion));
        foreach (var bin in write.After.Bins)
        {
            // The stored form keeps milliseconds: a finer time would come back as another bin than the one written.
            if (bin.WrittenAt.UtcTicks % TimeSpan.TicksPerMillisecond != 0)
            {
                throw new ArgumentException(
                    $"Bin {bin.Dot} of record {write.Key} was accepted at {bin.WrittenAt:O}, finer than the millisecond the store keeps; truncate accepted times to milliseconds.",
                    nameof(write));
            }
        }

        return Enqueue(new ConditionalWriteOperation(write, Replica, cancellationToken)).Task;
    }

    public Task<MergeResult> MergeAsync(IReadOnlyList<KeyedBin> bins, InboundPosition? position, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(bins);
        return Enqueue(new MergeOperation(bins, position, Replica, cancellationToken)).Task;
    }

    public Task SaveCheckpointAsync(string name, long sequence, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentOutOfRangeException.ThrowIfNegative(sequence);
        return Enqueue(new CheckpointOperation(name, sequence, cancellationToken)).Task;
    }

    public async ValueTask DisposeAsync()
    {
        if (_closed)
        {
            return;
        }

        _closed = true;
        await _writerGate.WaitAsync().ConfigureAwait(false);
        try
        {
            // Writes accepted before the close are still applied.
            DrainQueue();
        }
        finally
        {
            _open = false;
            _writerGate.Release();
        }

        _readers?.Dispose();
        _commands?.Dispose();
        if (_writer is not null)
        {
            await _writer.DisposeAsync().ConfigureAwait(false);
        }
    }

    private T Enqueue<T>(T operation)
        where T : WriteOperation
    {
        operation.CancellationToken.ThrowIfCancellationRequested();
        _ = Replica;
        ObjectDisposedException.ThrowIf(_closed, this);
        _queue.Enqueue(operation);
        Pump(operation);
        return operation;
    }
}
