using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;
using OrleansCausal.Core;
using OrleansCausal.Core.Serialization;

namespace OrleansCausal.Storage.Postgres;

/// <summary>
/// The PostgreSQL storage provider: a region's silos share one database (one schema), and every per-record
/// operation is atomic in the database itself, so two silos writing one key never lose a bin or reuse a dot.
/// <para>
/// Storage: a <c>records</c> row per record (clock and version) and a <c>bins</c> row per bin, keyed by the dot; a write
/// changes only the difference (inserts the added bins, deletes the removed ones, sets the clock and the version).
/// </para>
/// <para>
/// Atomicity: a transaction that makes sure each record of the batch has a row (<c>INSERT … ON CONFLICT DO NOTHING</c>),
/// locks the rows (<c>SELECT … FOR UPDATE</c>, in key order), reads their bins, computes the new records with Core's
/// <see cref="CausalRecord.Put"/> / <see cref="CausalRecord.Merge"/> — the one implementation of the semantics, shared
/// with the SQLite provider — or checks a conditional write's expected version, and writes the difference back.
/// We chose row locking in a transaction over a stored function because the semantics then live in one place (Core,
/// tested there) instead of being re-implemented in PL/pgSQL; the lock makes the read-compute-write one atomic step,
/// so the dot counter <c>max(clock[R], context[R]) + 1</c> is computed from the latest committed record by exactly
/// one writer at a time. Every change bumps the record's version by one; a batch computed from cached records
/// commits in one round trip with the versions checked (compare-and-set) and falls back to locking otherwise.
/// </para>
/// <para>
/// Durability: a put returns after COMMIT, which with the server defaults (<c>fsync = on</c>,
/// <c>synchronous_commit = on</c>) means the WAL is flushed; the store warns at open when the server runs otherwise.
/// </para>
/// </summary>
public sealed partial class PostgresRecordStore : IRecordStore
{
    private readonly PostgresRecordStoreOptions _options;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly PostgresSql _sql;
    private readonly string _endpoint;
    private readonly Guid _instanceId = Guid.NewGuid();
    private readonly System.Collections.Concurrent.ConcurrentQueue<PendingWrite> _queue = new();
    private readonly PostgresRecordCache _cache = new(capacity: 100_000);
    private readonly Channel<PendingMerge> _merges = Channel.CreateUnbounded<PendingMerge>(new UnboundedChannelOptions { SingleReader = true });
    private readonly CancellationTokenSource _stopping = new();
    private NpgsqlDataSource? _dataSource;
    private PostgresChangeListener? _listener;
    private PostgresNotifier? _notifier;
    private Task _merger = Task.CompletedTask;
    private ReplicaId _replica;
    private int _state; // 0 new, 1 open, 2 disposed
    private int _activeWriters;
    private int _entering;

    public PostgresRecordStore(PostgresRecordStoreOptions options, ILogger<PostgresRecordStore>? logger = null, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var validation = new PostgresRecordStoreOptionsValidator().Validate(null, options);
        if (validation.Failed)
        {
            throw new OptionsValidationException(nameof(PostgresRecordStoreOptions), typeof(PostgresRecordStoreOptions), validation.Failures);
        }

        _options = options;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _time = time ?? TimeProvider.System;
        _sql = new PostgresSql(options.Schema);
        _endpoint = PostgresDescription.Endpoint(options.ConnectionString);
        Description = PostgresDescription.Of(options.ConnectionString, options.Schema);
    }

    public ReplicaId Replica => _state == 1 ? _replica : throw new InvalidOperationException("The store is not open: call OpenAsync first.");

    public string Description { get; }

    /// <summary>Identifies this store instance (silo) in change notifications.</summary>
    public Guid InstanceId => _instanceId;

    public event EventHandler<RecordChangedEventArgs>? RecordChanged;

    public async Task OpenAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.CompareExchange(ref _state, -1, 0) != 0)
        {
            throw new InvalidOperationException("OpenAsync can be called once per store instance.");
        }

        try
        {
            var builder = new NpgsqlConnectionStringBuilder(_options.ConnectionString);
            builder.ApplicationName ??= "orleanscausal";
            // The store leaves no session state behind (no temp tables, no session locks, no LISTEN on pooled
            // connections), so a connection going back to the pool needs no reset statements.
            builder.NoResetOnClose = true;
            if (builder.MaxAutoPrepare == 0)
            {
                // The store sends the same few statements over and over: let Npgsql prepare them on each connection,
                // so the server plans them once instead of at every group commit.
                builder.MaxAutoPrepare = 32;
                builder.AutoPrepareMinUsages = 2;
            }

            if (builder.Options?.Contains("synchronous_commit", StringComparison.Ordinal) != true)
            {
                // An acknowledged write must survive a server crash: COMMIT waits for the WAL flush in our sessions
                // even when the server's default was relaxed for other applications.
                builder.Options = $"{builder.Options} -c synchronous_commit=on".Trim();
            }

            if (builder.Options?.Contains("plan_cache_mode", StringComparison.Ordinal) != true)
            {
                // The write statements take arrays (unnest), and for them the server kept choosing a custom plan,
                // i.e. planned the prepared statement again at every bind: measured with log_min_duration_statement
                // at 1 writer, the bind of the compare-and-set UPDATE took 0.20 ms (median of 4,399), more than
                // its execution (0.11 ms) and 25x the raw upsert's bind (0.008 ms). The plans do not depend on the
                // values (key lookups through the primary key), so the generic plan is always right.
                builder.Options = $"{builder.Options} -c plan_cache_mode=force_generic_plan".Trim();
            }

            _dataSource = NpgsqlDataSource.Create(builder.ConnectionString);
            await using (var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false))
            {
                await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
                var found = await PostgresSchema.EnsureAsync(connection, _sql, Description, cancellationToken).ConfigureAwait(false);
                if (found < PostgresSchema.CurrentVersion && found > 0)
                {
                    _logger.LogInformationMigrated(Description, found, PostgresSchema.CurrentVersion);
                }

                _replica = await LoadOrCreateReplicaAsync(connection, cancellationToken).ConfigureAwait(false);
                await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
                await WarnWhenNotDurableAsync(connection, cancellationToken).ConfigureAwait(false);
            }

            _notifier = new PostgresNotifier(_dataSource, _sql, Description, _logger);
            _listener = new PostgresChangeListener(_options, _sql, _instanceId, Description, _logger, OnRemoteChange);
            await _listener.StartAsync(cancellationToken).ConfigureAwait(false);
            _merger = Task.Run(RunMergerAsync);

            _state = 1;
            _logger.LogInformationOpened(Description, _replica.ToString(), PostgresSchema.CurrentVersion);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            await CloseResourcesAsync().ConfigureAwait(false);
            _state = 2;
            throw PostgresErrors.Translate(e, Description, _endpoint, "open the store");
        }
    }


    public async Task<RecordWriteResult> WriteAsync(RecordWrite write, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(write);
        ArgumentNullException.ThrowIfNull(write.Before);
        ArgumentNullException.ThrowIfNull(write.After);
        ArgumentNullException.ThrowIfNull(write.Key.Namespace);
        ArgumentNullException.ThrowIfNull(write.Key.Key);
        ArgumentOutOfRangeException.ThrowIfNegative(write.ExpectedVersion);
        cancellationToken.ThrowIfCancellationRequested();
        var pending = new PendingConditionalWrite(write, cancellationToken);
        await EnqueueAsync(pending).ConfigureAwait(false);
        return await pending.Completion.Task.ConfigureAwait(false);
    }

    public async Task<StoredRecord> LoadAsync(RecordKey key, CancellationToken cancellationToken)
    {
        var dataSource = EnsureOpen();
        PostgresStoredRows? rows = null;
        try
        {
            await using var command = dataSource.CreateCommand(_sql.ReadRecord);
            command.Parameters.Add(new NpgsqlParameter { Value = key.Namespace });
            command.Parameters.Add(new NpgsqlParameter { Value = key.Key });
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                rows ??= new PostgresStoredRows(reader.IsDBNull(1) ? null : reader.GetFieldValue<byte[]>(1), reader.GetInt64(0));
                if (PostgresBinRow.Read(reader, 2) is { } bin)
                {
                    rows.Add(bin);
                }
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw PostgresErrors.Translate(e, Description, _endpoint, $"read record {key}", key);
        }

        if (rows is null)
        {
            return StoredRecord.Missing;
        }

        CausalRecord record;
        try
        {
            record = Decode(key, rows);
        }
        catch (RecordStoreException)
        {
            // Never write a record from a cached copy once its row was found unreadable.
            _cache.Invalidate(key);
            throw;
        }

        _cache.Offer(key, record, rows.Version);
        return new StoredRecord(record, rows.Version);
    }

    public async Task<IReadOnlyList<ChangeEntry>> ReadChangesAsync(long afterSequence, int maxCount, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(afterSequence);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxCount, 1);
        var dataSource = EnsureOpen();
        var entries = new List<ChangeEntry>();
        try
        {
            await using var command = dataSource.CreateCommand(_sql.ReadChanges);
            command.Parameters.Add(new NpgsqlParameter { Value = afterSequence });
            command.Parameters.Add(new NpgsqlParameter { Value = maxCount });
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                var key = new RecordKey(reader.GetString(1), reader.GetString(2));
                Bin bin;
                try
                {
                    bin = CausalBinaryCodec.DecodeBin(reader.GetFieldValue<byte[]>(3));
                }
                catch (Exception e) when (e is InvalidDataException or ArgumentException or FormatException or OverflowException)
                {
                    throw new RecordStoreException($"Change-feed entry {reader.GetInt64(0)} (record {key}) in {Description} is corrupt: {e.Message}", e, key);
                }

                entries.Add(new ChangeEntry(reader.GetInt64(0), key, bin));
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw PostgresErrors.Translate(e, Description, _endpoint, "read the change feed");
        }

        return entries;
    }

    public Task<long> GetLastSequenceAsync(CancellationToken cancellationToken) =>
        ScalarAsync(_sql.LastSequence, null, "read the last change-feed sequence", cancellationToken);

    public Task<long> GetCheckpointAsync(string name, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        return ScalarAsync(_sql.GetCheckpoint, name, $"read checkpoint '{name}'", cancellationToken);
    }

    public async Task SaveCheckpointAsync(string name, long sequence, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentOutOfRangeException.ThrowIfNegative(sequence);
        var dataSource = EnsureOpen();
        try
        {
            await using var command = dataSource.CreateCommand(_sql.SaveCheckpoint);
            command.Parameters.Add(new NpgsqlParameter { Value = name });
            command.Parameters.Add(new NpgsqlParameter { Value = sequence });
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw PostgresErrors.Translate(e, Description, _endpoint, $"save checkpoint '{name}'");
        }
    }

    public Task<long> GetInboundPositionAsync(string source, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(source);
        return ScalarAsync(_sql.GetInboundPosition, source, $"read the inbound position of '{source}'", cancellationToken);
    }

    public async Task<IReadOnlyList<(RecordKey Key, CausalRecord Record)>> ScanAsync(RecordKey? after, int maxCount, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxCount, 1);
        var dataSource = EnsureOpen();
        var rows = new List<(RecordKey Key, PostgresStoredRows Rows)>();
        try
        {
            await using var command = dataSource.CreateCommand(after is null ? _sql.ScanFirst : _sql.ScanAfter);
            if (after is { } from)
            {
                command.Parameters.Add(new NpgsqlParameter { Value = from.Namespace });
                command.Parameters.Add(new NpgsqlParameter { Value = from.Key });
            }

            command.Parameters.Add(new NpgsqlParameter { Value = maxCount });
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                var key = new RecordKey(reader.GetString(0), reader.GetString(1));
                if (rows.Count == 0 || rows[^1].Key != key)
                {
                    rows.Add((key, new PostgresStoredRows(reader.IsDBNull(3) ? null : reader.GetFieldValue<byte[]>(3), reader.GetInt64(2))));
                }

                if (PostgresBinRow.Read(reader, 4) is { } bin)
                {
                    rows[^1].Rows.Add(bin);
                }
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw PostgresErrors.Translate(e, Description, _endpoint, "scan records");
        }

        var records = new List<(RecordKey Key, CausalRecord Record)>(rows.Count);
        foreach (var (key, stored) in rows)
        {
            var record = Decode(key, stored);
            if (!ReferenceEquals(record, CausalRecord.Empty))
            {
                records.Add((key, record));
            }
        }

        return records;
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _state, 2) == 2)
        {
            return;
        }

        // Writes already queued are committed before the store closes; later ones are refused.
        _merges.Writer.TryComplete();
        await DrainForCloseAsync().ConfigureAwait(false);
        await _merger.ConfigureAwait(false);

        await CloseResourcesAsync().ConfigureAwait(false);
    }

    private async Task CloseResourcesAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        if (_notifier is not null)
        {
            await _notifier.DisposeAsync().ConfigureAwait(false);
        }

        if (_listener is not null)
        {
            await _listener.DisposeAsync().ConfigureAwait(false);
        }

        if (_dataSource is not null)
        {
            await _dataSource.DisposeAsync().ConfigureAwait(false);
        }
    }

    private async Task<ReplicaId> LoadOrCreateReplicaAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        bool created;
        await using (var insert = new NpgsqlCommand($"INSERT INTO {_sql.Q("meta")} (id, region, epoch) VALUES (1, $1, $2) ON CONFLICT (id) DO NOTHING", connection))
        {
            insert.Parameters.Add(new NpgsqlParameter { Value = _options.Region.Value });
            insert.Parameters.Add(new NpgsqlParameter { Value = (long)ReplicaId.NewEpoch() });
            created = await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
        }

        await using var select = new NpgsqlCommand($"SELECT region, epoch FROM {_sql.Q("meta")} WHERE id = 1", connection);
        await using var reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            throw new RecordStoreException($"The PostgreSQL store {Description} has no meta row; the schema is damaged.");
        }

        var region = reader.GetString(0);
        var epoch = reader.GetInt64(1);
        if (!string.Equals(region, _options.Region.Value, StringComparison.Ordinal))
        {
            throw new RecordStoreException(
                $"The PostgreSQL store {Description} belongs to region '{region}', but this silo is configured for region " +
                $"'{_options.Region}'. Each region needs its own database (or schema); refusing to open.");
        }

        if (epoch is <= 0 or > uint.MaxValue || !RegionId.TryParse(region, out var regionId))
        {
            throw new RecordStoreException($"The PostgreSQL store {Description} has a corrupt meta row (region '{region}', epoch {epoch}).");
        }

        var replica = new ReplicaId(regionId, (uint)epoch);
        if (created)
        {
            _logger.LogInformationCreated(Description, region, replica.ToString());
        }

        return replica;
    }

    private async Task WarnWhenNotDurableAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        foreach (var setting in new[] { "fsync", "synchronous_commit" })
        {
            await using var show = new NpgsqlCommand($"SHOW {setting}", connection);
            var value = (string?)await show.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) ?? string.Empty;
            if (value is "off" or "local" && setting == "fsync" || value is "off" && setting == "synchronous_commit")
            {
                _logger.LogWarningNotDurable(Description, setting, value);
            }
        }
    }

    private async Task<long> ScalarAsync(string sql, string? parameter, string operation, CancellationToken cancellationToken)
    {
        var dataSource = EnsureOpen();
        try
        {
            await using var command = dataSource.CreateCommand(sql);
            if (parameter is not null)
            {
                command.Parameters.Add(new NpgsqlParameter { Value = parameter });
            }

            return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is long value ? value : 0;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw PostgresErrors.Translate(e, Description, _endpoint, operation);
        }
    }

    private NpgsqlDataSource EnsureOpen() => _state switch
    {
        1 => _dataSource!,
        2 => throw new ObjectDisposedException(nameof(PostgresRecordStore)),
        _ => throw new InvalidOperationException("The store is not open: call OpenAsync first."),
    };

    private CausalRecord Decode(RecordKey key, PostgresStoredRows rows)
    {
        try
        {
            return rows.Decode();
        }
        catch (Exception e) when (e is InvalidDataException or ArgumentException or FormatException or OverflowException or IndexOutOfRangeException)
        {
            _logger.LogErrorCorruptRecord(e, key.ToString(), Description);
            throw new RecordStoreException($"Record {key} in {Description} is corrupt and cannot be read: {e.Message}", e, key);
        }
    }

    /// <summary>Completes when the LISTEN connection has been re-established after the current one (tests).</summary>
    internal Task WhenListenerReconnectedAsync() => _listener?.WhenRelistenedAsync() ?? Task.CompletedTask;

    private void OnRemoteChange(RecordKey key, long version)
    {
        _cache.Invalidate(key);
        Raise(key, isLocal: false, version);
    }

    private void Raise(RecordKey key, bool isLocal, long version)
    {
        var handler = RecordChanged;
        if (handler is null)
        {
            return;
        }

        try
        {
            handler(this, new RecordChangedEventArgs(key, isLocal, version));
        }
        catch (Exception e)
        {
            _logger.LogErrorHandlerFailed(e, key.ToString());
        }
    }
}
