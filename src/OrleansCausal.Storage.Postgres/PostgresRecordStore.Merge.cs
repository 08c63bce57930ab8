using Npgsql;
using OrleansCausal.Core;
using OrleansCausal.Core.Serialization;

namespace OrleansCausal.Storage.Postgres;

/// <summary>Merges of remote bins (replication): one transaction per call, applied in call order by one merge loop,
/// records locked in key order, the inbound position saved in the same transaction. Merged bins never enter the
/// change feed.</summary>
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
        foreach (var keyed in bins)
        {
            if (!groups.TryGetValue(keyed.Key, out var group))
            {
                groups[keyed.Key] = group = [];
            }

            group.Add(keyed.Bin);
        }

        var keys = groups.Keys.ToList();
        keys.Sort(CompareKeys);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                var result = await MergeOnceAsync(groups, keys, position).ConfigureAwait(false);
                foreach (var (key, version) in result.Changes)
                {
                    Raise(key, isLocal: true, version);
                }

                return result.Result;
            }
            catch (Exception e) when (PostgresErrors.IsTransientConflict(e) && attempt < MaxConflictRetries)
            {
                _logger.LogWarningRetry(Description, ((PostgresException)e).SqlState, attempt);
            }
            catch (Exception e) when (e is not (ForgedDotException or RecordStoreException))
            {
                throw PostgresErrors.Translate(e, Description, _endpoint, "merge remote bins");
            }
        }
    }

    private sealed class PendingMerge(IReadOnlyList<KeyedBin> bins, InboundPosition? position, CancellationToken cancellationToken)
    {
        public IReadOnlyList<KeyedBin> Bins { get; } = bins;

        public InboundPosition? Position { get; } = position;

        public CancellationToken CancellationToken { get; } = cancellationToken;

        public TaskCompletionSource<MergeResult> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    /// <summary>One merge transaction: locks the records, merges, writes the bins that differ. Returns the result and
    /// each changed record's new version.</summary>
    private async Task<(MergeResult Result, List<(RecordKey Key, long Version)> Changes)> MergeOnceAsync(Dictionary<RecordKey, List<Bin>> groups, List<RecordKey> keys, InboundPosition? position)
    {
        await using var connection = await _dataSource!.OpenConnectionAsync(CancellationToken.None).ConfigureAwait(false);
        try
        {
            var stored = await BeginAndLockAsync(connection, keys).ConfigureAwait(false);
            var writes = new PostgresTransactionWrites { Position = position };
            var added = 0;
            foreach (var key in keys)
            {
                var rows = stored[key];
                var record = Decode(key, rows);
                foreach (var bin in groups[key])
                {
                    // A dot under our own replica that our clock does not cover was never issued by us: forged or
                    // corrupt. Accepting it would let a later put here issue the same dot again.
                    if (bin.Dot.Replica == _replica && !record.Clock.Covers(bin.Dot))
                    {
                        throw new ForgedDotException(key, bin.Dot);
                    }
                }

                var outcome = record.Merge(groups[key]);
                if (!outcome.Changed)
                {
                    continue;
                }

                added += outcome.Added;
                writes.AddRecord(key, record, outcome.Record, rows.Version, rows.Version + 1);
                if (NotificationFor(key, rows.Version + 1) is { } payload)
                {
                    writes.Notifications.Add(payload);
                }
            }

            await WriteAndCommitAsync(connection, writes).ConfigureAwait(false);
            _notifier!.Enqueue(writes.Notifications);
            var changes = new List<(RecordKey Key, long Version)>(writes.RecordKeys.Count);
            for (var i = 0; i < writes.RecordKeys.Count; i++)
            {
                _cache.Offer(writes.RecordKeys[i], writes.Records[i], writes.NewVersions[i]);
                changes.Add((writes.RecordKeys[i], writes.NewVersions[i]));
            }

            return (new MergeResult(added, writes.RecordKeys.ToArray()) { ChangedVersions = writes.NewVersions.ToArray() }, changes);
        }
        catch
        {
            await RollbackQuietlyAsync(connection).ConfigureAwait(false);
            throw;
        }
    }
}
