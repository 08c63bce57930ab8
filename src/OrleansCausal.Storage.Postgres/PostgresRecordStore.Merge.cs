using Npgsql;
using OrleansCausal.Core;
using OrleansCausal.Core.Serialization;

namespace OrleansCausal.Storage.Postgres;

/// <summary>Merges of remote bins (replication): one transaction per call, applied in call order by one merge loop,
/// the inbound position saved in the same transaction. A merge commits in one round trip when its records are cached
/// or, during a catch-up of new keys, assumed new (every assumption checked by the write); otherwise it locks the
/// records in key order first. Merged bins never enter the change feed.</summary>
public sealed partial class PostgresRecordStore
{
    public Task<MergeResult> MergeAsync(IReadOnlyList<KeyedBin> bins, InboundPosition? position, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(bins);
        EnsureOpen();
        cancellationToken.ThrowIfCancellationRequested();
        if (bins.Count == 0 && position is null)
        {
            return Task.FromResult(new MergeResult(0, []));
        }

        foreach (var keyed in bins)
        {
            ArgumentNullException.ThrowIfNull(keyed);
        }

        var pending = new PendingMerge(bins, position, cancellationToken);
        if (!_merges.Writer.TryWrite(pending))
        {
            throw new ObjectDisposedException(nameof(PostgresRecordStore));
        }

        return pending.Completion.Task;
    }

    /// <summary>Applies merges one at a time, in the order they were called: a source's batches must not overtake each
    /// other (a bin merged after a later bin of the same source and record would count as seen and superseded).</summary>
    private async Task RunMergerAsync()
    {
        while (await _merges.Reader.WaitToReadAsync(CancellationToken.None).ConfigureAwait(false))
        {
            while (_merges.Reader.TryRead(out var pending))
            {
                if (pending.CancellationToken.IsCancellationRequested)
                {
                    pending.Completion.TrySetCanceled(pending.CancellationToken);
                    continue;
                }

                try
                {
                    pending.Completion.TrySetResult(await MergeWithRetriesAsync(pending.Bins, pending.Position).ConfigureAwait(false));
                }
                catch (Exception e)
                {
                    pending.Completion.TrySetException(e);
                }
            }
        }
    }

    private async Task<MergeResult> MergeWithRetriesAsync(IReadOnlyList<KeyedBin> bins, InboundPosition? position)
    {
        var groups = new Dictionary<RecordKey, List<Bin>>();
        var operations = new Dictionary<RecordKey, List<RememberedOperation>>();
        foreach (var keyed in bins)
        {
            if (!groups.TryGetValue(keyed.Key, out var group))
            {
                groups[keyed.Key] = group = [];
            }

            group.Add(keyed.Bin);
            if (keyed.Operations.Count > 0)
            {
                (operations.TryGetValue(keyed.Key, out var remembered) ? remembered : operations[keyed.Key] = []).AddRange(keyed.Operations);
            }
        }

        var keys = groups.Keys.ToList();
        keys.Sort(CompareKeys);
        if (await TryMergeWithoutLockingAsync(groups, operations, keys, position).ConfigureAwait(false) is { } fast)
        {
            return Finish(fast);
        }

        // Another writer creating one of the merge's new records between the lock and the write refuses the attempt
        // (StaleRecordState); the next attempt finds that record and locks it, so each key can cost at most one such
        // refusal: allow one per key, on top of the retries any transaction gets for a deadlock.
        var maxAttempts = MaxConflictRetries + keys.Count;
        var transientConflicts = 0;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return Finish(await MergeOnceAsync(groups, operations, keys, position).ConfigureAwait(false));
            }
            catch (Exception e) when (attempt < maxAttempts && (e is PostgresException { SqlState: PostgresSql.StaleRecordState }
                || (PostgresErrors.IsTransientConflict(e) && ++transientConflicts < MaxConflictRetries)))
            {
                _logger.LogWarningRetry(Description, ((PostgresException)e).SqlState, attempt);
            }
            catch (Exception e) when (e is not (ForgedDotException or RecordStoreException))
            {
                throw PostgresErrors.Translate(e, Description, _endpoint, "merge remote bins");
            }
        }
    }

    private MergeResult Finish((MergeResult Result, List<(RecordKey Key, long Version)> Changes) merged)
    {
        foreach (var (key, version) in merged.Changes)
        {
            Raise(key, isLocal: true, version);
        }

        return merged.Result;
    }

    /// <summary>
    /// The merge in one round trip, without reading the records first: each record is taken from the cache, or — when
    /// the last merges found their uncached records absent (a catch-up of new keys) — assumed absent. The records are
    /// written with their versions checked (<see cref="PostgresSql.UpdateRecords"/>) or created only if still absent
    /// (<see cref="PostgresSql.InsertRecords"/>), so the transaction commits only if every assumption held, like the
    /// put path's write from cached records. Null (nothing written) when an assumption was wrong, or when a bin under
    /// this store's own replica is not covered by an assumed record (only the locked record can tell genuine from
    /// forged): the caller then locks the records.
    /// </summary>
    private async Task<(MergeResult Result, List<(RecordKey Key, long Version)> Changes)?> TryMergeWithoutLockingAsync(
        Dictionary<RecordKey, List<Bin>> groups, Dictionary<RecordKey, List<RememberedOperation>> operations, List<RecordKey> keys, InboundPosition? position)
    {
        var assumed = new Dictionary<RecordKey, (CausalRecord Record, long Version, bool Absent)>(keys.Count);
        foreach (var key in keys)
        {
            if (_cache.TryGet(key, out var record, out var version))
            {
                assumed[key] = (record, version, false);
            }
            else if (_mergedKeysWereNew)
            {
                assumed[key] = (CausalRecord.Empty, 0, true);
            }
            else
            {
                return null;
            }

            if (groups[key].Any(bin => bin.Dot.Replica == _replica && !assumed[key].Record.Clock.Covers(bin.Dot)))
            {
                return null;
            }
        }

        var writes = Compute(groups, operations, keys, position, key => assumed[key]);
        if (await TryCommitUnlockedAsync(writes.Writes).ConfigureAwait(false) is null)
        {
            _mergedKeysWereNew = false;
            return null;
        }

        return Committed(writes.Writes, writes.Added);
    }

    /// <summary>True while the records the merges found missing from the cache were new (no row): the next merge then
    /// assumes its uncached records are new too. Only the merge loop reads and writes it.</summary>
    private bool _mergedKeysWereNew;

    private sealed class PendingMerge(IReadOnlyList<KeyedBin> bins, InboundPosition? position, CancellationToken cancellationToken)
    {
        public IReadOnlyList<KeyedBin> Bins { get; } = bins;

        public InboundPosition? Position { get; } = position;

        public CancellationToken CancellationToken { get; } = cancellationToken;

        public TaskCompletionSource<MergeResult> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    /// <summary>One merge transaction: locks the records that exist, merges, writes the bins that differ and creates
    /// the records that did not exist. Returns the result and each changed record's new version.</summary>
    private async Task<(MergeResult Result, List<(RecordKey Key, long Version)> Changes)> MergeOnceAsync(
        Dictionary<RecordKey, List<Bin>> groups, Dictionary<RecordKey, List<RememberedOperation>> operations, List<RecordKey> keys, InboundPosition? position)
    {
        await using var connection = await _dataSource!.OpenConnectionAsync(CancellationToken.None).ConfigureAwait(false);
        try
        {
            var stored = await BeginAndLockAsync(connection, keys, insertMissing: false).ConfigureAwait(false);
            var uncachedWereNew = true;
            var writes = Compute(groups, operations, keys, position, key =>
            {
                if (!stored.TryGetValue(key, out var rows))
                {
                    return (CausalRecord.Empty, 0, true);
                }

                uncachedWereNew &= _cache.TryGet(key, out _, out _);
                return (Decode(key, rows), rows.Version, false);
            });
            await WriteAndCommitAsync(connection, writes.Writes).ConfigureAwait(false);
            _mergedKeysWereNew = uncachedWereNew;
            return Committed(writes.Writes, writes.Added);
        }
        catch
        {
            await RollbackQuietlyAsync(connection).ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Merges each record's remote bins into its current state (from <paramref name="current"/>: the record,
    /// its version, and whether it has no row yet) and collects what differs. Throws
    /// <see cref="ForgedDotException"/> for a bin under this store's own replica that the record's clock does not cover.</summary>
    private (PostgresTransactionWrites Writes, int Added) Compute(
        Dictionary<RecordKey, List<Bin>> groups, Dictionary<RecordKey, List<RememberedOperation>> operations, List<RecordKey> keys, InboundPosition? position,
        Func<RecordKey, (CausalRecord Record, long Version, bool Absent)> current)
    {
        var writes = new PostgresTransactionWrites { Position = position };
        var added = 0;
        foreach (var key in keys)
        {
            var (record, version, absent) = current(key);
            foreach (var bin in groups[key])
            {
                // A dot under our own replica that our clock does not cover was never issued by us: forged or
                // corrupt. Accepting it would let a later put here issue the same dot again.
                if (bin.Dot.Replica == _replica && !record.Clock.Covers(bin.Dot))
                {
                    throw new ForgedDotException(key, bin.Dot);
                }
            }

            var outcome = record.Merge(groups[key], operations.GetValueOrDefault(key), _options.Operations);
            if (!outcome.Changed)
            {
                continue;
            }

            added += outcome.Added;
            writes.AddRecord(key, record, outcome.Record, version, version + 1, create: absent);
            if (NotificationFor(key, version + 1) is { } payload)
            {
                writes.Notifications.Add(payload);
            }
        }

        return (writes, added);
    }

    /// <summary>After the commit: sends the notifications, caches the new records, and returns the result with each
    /// changed record's new version.</summary>
    private (MergeResult Result, List<(RecordKey Key, long Version)> Changes) Committed(PostgresTransactionWrites writes, int added)
    {
        _notifier!.Enqueue(writes.Notifications);
        var changes = new List<(RecordKey Key, long Version)>(writes.RecordKeys.Count);
        for (var i = 0; i < writes.RecordKeys.Count; i++)
        {
            _cache.Offer(writes.RecordKeys[i], writes.Records[i], writes.NewVersions[i]);
            changes.Add((writes.RecordKeys[i], writes.NewVersions[i]));
        }

        return (new MergeResult(added, writes.RecordKeys.ToArray()) { ChangedVersions = writes.NewVersions.ToArray() }, changes);
    }
}
