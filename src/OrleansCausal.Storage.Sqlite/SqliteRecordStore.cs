using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using OrleansCausal.Core;

namespace OrleansCausal.Storage.Sqlite;

/// <summary>
/// The embedded store: one SQLite file in WAL mode. SQLite's I/O is synchronous, so none of it runs on the caller's
/// thread (a grain turn or a thread-pool thread): writes are queued to the store's writer thread
/// (<see cref="GroupCommitWriter"/>), which applies what is queued (up to
/// <see cref="SqliteRecordStoreOptions.MaxBatchSize"/> operations) in one <c>BEGIN IMMEDIATE</c> transaction and commits
/// once (group commit); reads are queued to a few reader threads (<see cref="ReaderThreads"/>). The read-modify-write
/// of each record happens inside the write transaction, so other store instances and processes on the same file
/// serialize on SQLite's write lock (waiting up to the busy timeout) and never lose a bin or issue a dot twice.
/// </summary>
public sealed partial class SqliteRecordStore : IRecordStore
{
    private readonly SqliteRecordStoreOptions _options;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly string _path;
    private volatile bool _open;
    private volatile bool _closed;
    private GroupCommitWriter? _writer;
    private ReaderThreads? _readers;
    private WalCheckpointer? _checkpointer;
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
            ReaderThreads = options.ReaderThreads,
            MaxFileSizeBytes = options.MaxFileSizeBytes,
            Operations = options.Operations,
            CheckpointInterval = options.CheckpointInterval,
        };
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _time = time ?? TimeProvider.System;
    }

    public ReplicaId Replica => _open ? _replica : throw new InvalidOperationException($"Call {nameof(OpenAsync)} before using the store.");

    public string Description => $"sqlite:{_path}";

    /// <summary>Raised on the writer thread right after a commit, before the callers of that commit complete: handlers
    /// must be cheap (signal, count) and must never wait for the store, or the writer stops committing.</summary>
    public event EventHandler<RecordChangedEventArgs>? RecordChanged;

    /// <summary>Starts the writer thread, which creates or opens the file and its schema, and the reader threads.</summary>
    public async Task OpenAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (_open || _closed || _writer is not null)
        {
            throw new InvalidOperationException($"The store {Description} is already open or closed.");
        }

        (ReplicaId Replica, bool Created, int From) opened = default;
        try
        {
            _writer = await GroupCommitWriter.StartAsync(_options, _logger, RaiseRecordChanged,
                connection => opened = SqliteSchema.Open(connection, _path, _options.Region, _time, _logger),
                () => BackgroundCheckpoints).ConfigureAwait(false);
        }
        catch (Exception error)
        {
            throw SqliteErrors.Wrap(_path, "opening the store", error);
        }

        if (opened.Created)
        {
            Log.LogInformationCreated(_logger, _path, opened.Replica.ToString());
        }

        if (opened.From != 0 && opened.From != SqliteSchema.CurrentVersion)
        {
            Log.LogInformationMigrated(_logger, _path, opened.From, SqliteSchema.CurrentVersion);
        }

        _readers = new ReaderThreads(_options);
        if (_options.CheckpointInterval > TimeSpan.Zero)
        {
            var writer = _writer;
            _checkpointer = WalCheckpointer.Start(_options, _logger, () => writer.Transactions);
        }

        _replica = opened.Replica;
        Log.LogInformationOpened(_logger, _path, opened.Replica.ToString(), SqliteSchema.CurrentVersion);
        _open = true;
    }

    public Task<StoreWriteResult> PutAsync(PutRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentOutOfRangeException.ThrowIfLessThan(request.MaxBins, 1, nameof(request.MaxBins));
        // Millisecond precision: the stored form keeps milliseconds, so the returned bin equals the stored one.
        var writtenAt = DateTimeOffset.FromUnixTimeMilliseconds(_time.GetUtcNow().ToUnixTimeMilliseconds());
        return Enqueue(new PutOperation(request, WriterReplica, writtenAt, cancellationToken)).Task;
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

        return Enqueue(new ConditionalWriteOperation(write, WriterReplica, cancellationToken)).Task;
    }

    public Task<MergeResult> MergeAsync(IReadOnlyList<KeyedBin> bins, InboundPosition? position, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(bins);
        return Enqueue(new MergeOperation(bins, position, WriterReplica, _options.Operations, cancellationToken)).Task;
    }

    public Task SaveCheckpointAsync(string name, long sequence, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentOutOfRangeException.ThrowIfNegative(sequence);
        return Enqueue(new CheckpointOperation(name, sequence, cancellationToken)).Task;
    }

    /// <summary>Refuses new operations, commits the writes queued before, runs the queued reads, then stops the
    /// threads and closes the connections.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_closed)
        {
            return;
        }

        _closed = true;
        if (_checkpointer is not null)
        {
            await _checkpointer.StopAsync().ConfigureAwait(false);
        }

        if (_writer is not null)
        {
            await _writer.StopAsync().ConfigureAwait(false);
        }

        _open = false;
        if (_readers is not null)
        {
            await _readers.StopAsync().ConfigureAwait(false);
        }
    }
}
