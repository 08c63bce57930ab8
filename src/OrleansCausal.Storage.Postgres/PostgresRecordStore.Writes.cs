using Npgsql;
using OrleansCausal.Core;
using OrleansCausal.Core.Serialization;

namespace OrleansCausal.Storage.Postgres;

/// <summary>
/// Puts and deletes, with group commit: callers queue their write; a small pool of writers (at most
/// <see cref="PostgresRecordStoreOptions.WriterCount"/> at a time) each take everything that is queued right now (up
/// to <see cref="PostgresRecordStoreOptions.MaxBatchSize"/>) and commit it as one transaction. There is no timer: a
/// lone write is committed at once, by its own caller, while under load the writes that pile up during one commit
/// share the next one (one WAL flush and one or two round trips for the whole batch). Puts are serialized by the
/// change-feed counter row anyway (see <see cref="PostgresSql.AppendChanges"/>), so more writers would only split
/// the waiting writes into more, smaller commits; the default is one.
/// </summary>
public sealed partial class PostgresRecordStore
{
    private const int MaxConflictRetries = 5;

    /// <summary>How many writes the last group commit carried (see <see cref="PutAsync"/>).</summary>
    private int _lastBatchSize;

    public async Task<StoreWriteResult> PutAsync(PutRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(request.Context);
        ArgumentNullException.ThrowIfNull(request.Key.Namespace);
        ArgumentNullException.ThrowIfNull(request.Key.Key);
        ArgumentOutOfRangeException.ThrowIfLessThan(request.MaxBins, 1);
        cancellationToken.ThrowIfCancellationRequested();
        var pending = new PendingPut(request, cancellationToken);
        await EnqueueAsync(pending).ConfigureAwait(false);
        return await pending.Completion.Task.ConfigureAwait(false);
    }

    /// <summary>Queues a write for the next group commit; when no writer is busy, this caller commits the queue.</summary>
    private async Task EnqueueAsync(PendingWrite pending)
    {
        bool lead;
        Interlocked.Increment(ref _entering);
        try
        {
            EnsureOpen();
            _queue.Enqueue(pending);
            lead = TryBecomeWriter();
        }
        finally
        {
            Interlocked.Decrement(ref _entering);
        }

        if (lead)
        {
            // No writer was busy: this caller commits the queue itself (its own write included), without a hop to
            // another thread. A busy writer picks up the write otherwise.
            // One exception: when the last commit carried several writes (there were concurrent writers a moment
            // ago) and this write is the only one queued, the caller first lets the callers that are already
            // runnable queue theirs (one Task.Yield, no timer), so a burst of writers after a pause starts with one
            // full commit instead of a commit of one followed by a commit of everybody else. Measured on the
            // paired benchmark at 64 writers (4 puts per writer per invocation): 5 commits per invocation
            // (1 + 63 + 64 + 64 + 64) without it, 4 with it, in every one of 8 invocations. A lone writer (last
            // commit of one) never yields: the hop cost about 0.1 ms per put at 1 writer on the loaded machine.
            if (Volatile.Read(ref _lastBatchSize) > 1 && _queue.Count == 1)
            {
                await Task.Yield();
            }

            await DrainAsync(pending).ConfigureAwait(false);
        }
    }

    /// <summary>Takes one of the <see cref="PostgresRecordStoreOptions.WriterCount"/> writer slots, if one is free.</summary>
    private bool TryBecomeWriter()
    {
        while (true)
        {
            var active = Volatile.Read(ref _activeWriters);
            if (active >= _options.WriterCount)
            {
                return false;
            }

            if (Interlocked.CompareExchange(ref _activeWriters, active + 1, active) == active)
            {
                return true;
            }
        }
    }

    /// <summary>
    /// A writer: commits everything queued right now as one batch, again and again while writes keep coming. Once
    /// the write of the caller it runs for (<paramref name="own"/>) is done, it hands the rest to a background writer,
    /// so a caller is never held up by other callers' writes for longer than one batch. Before giving up its slot it
    /// looks at the queue once more after releasing it, so a write queued meanwhile is never stranded.
    /// </summary>
    private async Task DrainAsync(PendingWrite? own)
    {
        var batch = new List<PendingWrite>();
        do
        {
            while (TakeBatch(batch))
            {
                var acknowledged = batch.Count;
                Volatile.Write(ref _lastBatchSize, acknowledged);
                await CommitWithRetriesAsync(batch).ConfigureAwait(false);
                if (acknowledged > 1)
                {
                    // The writers just acknowledged are about to queue their next write: let their continuations run
                    // before taking the next batch, so they share one commit instead of trickling into several.
                    // (Not a timer: a lone writer never gets here.)
                    await Task.Yield();
                }

                if (own is not null && own.IsCompleted && !_queue.IsEmpty)
                {
                    _ = Task.Run(() => DrainAsync(null));
                    return;
                }
            }

            Interlocked.Decrement(ref _activeWriters);
        }
        while (!_queue.IsEmpty && TryBecomeWriter());
    }

    private bool TakeBatch(List<PendingWrite> batch)
    {
        batch.Clear();
        while (batch.Count < _options.MaxBatchSize && _queue.TryDequeue(out var pending))
        {
            if (pending.CancellationToken.IsCancellationRequested)
            {
                pending.Cancel();
            }
            else
            {
                batch.Add(pending);
            }
        }

        return batch.Count > 0;
    }

    /// <summary>At dispose: lets the writers finish what was queued before the store closed.</summary>
    private async Task DrainForCloseAsync()
    {
        // Writers signal nothing when they finish, so wait for them in short steps; this runs only at shutdown
        // and only while writes are still in flight.
        while (Volatile.Read(ref _entering) > 0 || Volatile.Read(ref _activeWriters) > 0 || !_queue.IsEmpty)
        {
            if (!_queue.IsEmpty && TryBecomeWriter())
            {
                await DrainAsync(null).ConfigureAwait(false);
                continue;
            }

            await Task.Delay(5).ConfigureAwait(false);
        }
    }

    private async Task CommitWithRetriesAsync(List<PendingWrite> batch)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await CommitBatchAsync(batch).ConfigureAwait(false);
                return;
            }
            catch (Exception e) when (PostgresErrors.IsTransientConflict(e) && attempt < MaxConflictRetries)
            {
                _logger.LogWarningRetry(Description, ((PostgresException)e).SqlState, attempt);
            }
            catch (Exception e) when (batch.Count > 1 && !PostgresErrors.IsConnectionLevel(e))
            {
                // One statement failed for a reason that may belong to one write: commit them one by one so the
                // others still go through and only the culprit sees the error.
                foreach (var pending in batch)
                {
                    await CommitWithRetriesAsync([pending]).ConfigureAwait(false);
                }

                return;
            }
            catch (Exception e)
            {
                var error = PostgresErrors.Translate(e, Description, _endpoint, batch.Count == 1 ? $"write record {batch[0].Key}" : "write");
                _logger.LogErrorBatchFailed(e, batch.Count, Description);
                foreach (var pending in batch)
                {
                    pending.Fail(error);
                }

                return;
            }
        }
    }

    private async Task CommitBatchAsync(List<PendingWrite> batch)
    {
        var groups = new Dictionary<RecordKey, List<PendingWrite>>();
        foreach (var pending in batch)
        {
            if (!groups.TryGetValue(pending.Key, out var group))
            {
                groups[pending.Key] = group = [];
            }

            group.Add(pending);
        }

        var keys = groups.Keys.ToList();
        keys.Sort(CompareKeys);

        // Stored times have millisecond precision (the codec's format): use that here too, so the record a put
        // returns equals the record a later read returns.
        var now = DateTimeOffset.FromUnixTimeMilliseconds(_time.GetUtcNow().ToUnixTimeMilliseconds());
        // Take the cached records once: a change notice from another silo may evict one at any moment.
        var cached = new Dictionary<RecordKey, (CausalRecord Record, long Version)>(keys.Count);
        foreach (var key in keys)
        {
            if (!_cache.TryGet(key, out var record, out var version))
            {
                break;
            }

            cached[key] = (record, version);
        }

        if (cached.Count == keys.Count)
        {
            // Every record is cached: one round trip, if no other silo changed them since.
            var optimistic = Compute(keys, groups, now, locked: false, key => cached[key]);
            if (!optimistic.NeedsLock && await TryCommitOptimisticAsync(optimistic).ConfigureAwait(false))
            {
                Complete(optimistic);
                return;
            }
        }

        ComputedBatch computed;
        await using (var connection = await _dataSource!.OpenConnectionAsync(CancellationToken.None).ConfigureAwait(false))
        {
            try
            {
                var stored = await BeginAndLockAsync(connection, keys).ConfigureAwait(false);
                computed = Compute(keys, groups, now, locked: true, key => (Decode(key, stored[key]), stored[key].Version));
                computed.LastSequence = await WriteRecordsAsync(connection, computed.Writes, inTransaction: true).ConfigureAwait(false);
            }
            catch
            {
                await RollbackQuietlyAsync(connection).ConfigureAwait(false);
                throw;
            }
        }

        Complete(computed);
    }

    /// <summary>Commits a batch computed from cached records as one statement that commits by itself (one round trip,
    /// no BEGIN / COMMIT). False (nothing written, the records' cache entries dropped) when a record changed since it
    /// was cached, or on any other failure: the caller then takes the locking path, which reports errors properly.</summary>
    private async Task<bool> TryCommitOptimisticAsync(ComputedBatch computed)
    {
        var writes = computed.Writes;
        if (writes.RecordKeys.Count == 0)
        {
            return false;
        }

        try
        {
            await using var connection = await _dataSource!.OpenConnectionAsync(CancellationToken.None).ConfigureAwait(false);
            computed.LastSequence = await WriteRecordsAsync(connection, writes, inTransaction: false).ConfigureAwait(false);
            return true;
        }
        catch (Exception)
        {
            // The statement failed as a whole, so nothing was written and no transaction is left open.
            foreach (var key in writes.RecordKeys)
            {
                _cache.Invalidate(key);
            }

            return false;
        }
    }

    /// <summary>One round trip: the records, bins and change-feed entries of <paramref name="writes"/> in the single
    /// statement <see cref="PostgresSql.WriteRecords"/>, followed by COMMIT when <paramref name="inTransaction"/> (after
    /// <see cref="BeginAndLockAsync"/>); otherwise the statement is its own transaction. The notifications follow the
    /// commit (see <see cref="PostgresNotifier"/>). Returns the last change-feed sequence allocated (0 if none).</summary>
    private async Task<long> WriteRecordsAsync(NpgsqlConnection connection, PostgresTransactionWrites writes, bool inTransaction)
    {
        await using var batch = new NpgsqlBatch(connection);
        if (writes.RecordKeys.Count > 0)
        {
            batch.BatchCommands.Add(writes.WriteRecordsCommand(_sql));
        }

        if (inTransaction)
        {
            batch.BatchCommands.Add(new NpgsqlBatchCommand("COMMIT"));
        }

        long lastSequence = 0;
        await using (var reader = await batch.ExecuteReaderAsync(CancellationToken.None).ConfigureAwait(false))
        {
            do
            {
                if (reader.FieldCount == 1 && reader.GetName(0) == "last_seq")
                {
                    while (await reader.ReadAsync(CancellationToken.None).ConfigureAwait(false))
                    {
                        lastSequence = reader.IsDBNull(0) ? 0 : reader.GetInt64(0);
                    }
                }
            }
            while (await reader.NextResultAsync(CancellationToken.None).ConfigureAwait(false));
        }

        if (writes.FeedKeys.Count > 0 && lastSequence == 0)
        {
            throw new RecordStoreException($"The change-feed counter of {Description} is missing; the schema is damaged.");
        }

        return lastSequence;
    }

    /// <summary>Applies the batch's writes, in queue order, to the current records: puts with Core's
    /// <see cref="CausalRecord.Put"/>, conditional writes after checking their version (each change counts one
    /// version). A write that cannot apply fails alone, before anything is written; a record that cannot be decoded
    /// fails only its own writes.</summary>
    /// <param name="locked">True when <paramref name="current"/> reads locked rows; false for cached records, which
    /// cannot prove a conflict (the batch then <see cref="ComputedBatch.NeedsLock"/>).</param>
    private ComputedBatch Compute(List<RecordKey> keys, Dictionary<RecordKey, List<PendingWrite>> groups, DateTimeOffset now, bool locked, Func<RecordKey, (CausalRecord Record, long Version)> current)
    {
        var computed = new ComputedBatch();
        var writes = computed.Writes;
        foreach (var key in keys)
        {
            CausalRecord stored;
            long storedVersion;
            try
            {
                (stored, storedVersion) = current(key);
            }
            catch (RecordStoreException e)
            {
                computed.Failures.AddRange(groups[key].Select(p => (p, (Exception)e)));
                continue;
            }

            var record = stored;
            var version = storedVersion;
            foreach (var pending in groups[key])
            {
                switch (pending)
                {
                    case PendingPut put:
                    {
                        var request = put.Request;
                        var context = request.Override ? request.Context.Join(record.Clock) : request.Context;
                        PutOutcome outcome;
                        try
                        {
                            outcome = record.Put(_replica, request.Value, context, now, request.MaxBins);
                        }
                        catch (ArgumentException e)
                        {
                            computed.Failures.Add((put, e));
                            continue;
                        }

                        record = outcome.Record;
                        computed.Results.Add(new Applied(put, ++version, writes.AddToFeed(key, outcome.Written), outcome));
                        break;
                    }

                    case PendingConditionalWrite conditional:
                    {
                        var write = conditional.Write;
                        if (write.ExpectedVersion != version)
                        {
                            if (!locked)
                            {
                                computed.NeedsLock = true;
                                return computed;
                            }

                            computed.Failures.Add((conditional, new RecordVersionConflictException(key, write.ExpectedVersion, version)));
                            continue;
                        }

                        var (ownNew, reissued) = OwnNewBins(record, write.After);
                        if (reissued is { } dot)
                        {
                            if (!locked)
                            {
                                // The cached record may lag the row (another silo's write not yet noticed): refuse
                                // only what the locked row proves.
                                computed.NeedsLock = true;
                                return computed;
                            }

                            computed.Failures.Add((conditional, new InvalidOperationException(
                                $"Refused the write of record {key}: its new bin {dot} carries this store's replica, but the stored clock " +
                                $"{record.Clock} already covers that dot, so it would be issued twice. Nothing was written.")));
                            continue;
                        }

                        var feedIndex = -1;
                        foreach (var bin in ownNew)
                        {
                            feedIndex = writes.AddToFeed(key, bin);
                        }

                        record = write.After;
                        computed.Results.Add(new Applied(conditional, ++version, feedIndex, null));
                        break;
                    }
                }
            }

            if (version != storedVersion)
            {
                writes.AddRecord(key, stored, record, storedVersion, version);
                if (NotificationFor(key, version) is { } payload)
                {
                    writes.Notifications.Add(payload);
                }
            }
        }

        return computed;
    }

    /// <summary>The bins of <paramref name="after"/> under this store's replica that <paramref name="current"/> lacks, in
    /// dot order (what the write appends to the change feed), and the first of them whose dot the current clock
    /// already covers (a dot that would be issued twice), if any.</summary>
    private (List<Bin> Added, Dot? Reissued) OwnNewBins(CausalRecord current, CausalRecord after)
    {
        var present = current.Bins.Select(b => b.Dot).ToHashSet();
        var added = new List<Bin>();
        foreach (var bin in after.Bins)
        {
            if (bin.Dot.Replica != _replica || present.Contains(bin.Dot))
            {
                continue;
            }

            if (current.Clock.Covers(bin.Dot))
            {
                return (added, bin.Dot);
            }

            added.Add(bin);
        }

        return (added, null);
    }

    /// <summary>After COMMIT: cache the new records, tell listeners, then acknowledge the writers.</summary>
    private void Complete(ComputedBatch computed)
    {
        var writes = computed.Writes;
        for (var i = 0; i < writes.RecordKeys.Count; i++)
        {
            _cache.Offer(writes.RecordKeys[i], writes.Records[i], writes.NewVersions[i]);
        }

        _notifier!.Enqueue(writes.Notifications);

        // Listeners hear about the change before any writer sees its acknowledgement.
        for (var i = 0; i < writes.RecordKeys.Count; i++)
        {
            Raise(writes.RecordKeys[i], isLocal: true, writes.NewVersions[i]);
        }

        // The feed entries got LastSequence - count + 1 .. LastSequence, in the order they were added.
        var first = computed.LastSequence - writes.FeedKeys.Count + 1;
        foreach (var applied in computed.Results)
        {
            var sequence = applied.FeedIndex < 0 ? 0 : first + applied.FeedIndex;
            switch (applied.Pending)
            {
                case PendingPut put:
                    var outcome = applied.Outcome!.Value;
                    put.Completion.TrySetResult(new StoreWriteResult(outcome.Record, outcome.Written, outcome.Pruned, sequence, applied.Version));
                    break;
                case PendingConditionalWrite conditional:
                    conditional.Completion.TrySetResult(new RecordWriteResult(applied.Version, sequence));
                    break;
            }
        }

        foreach (var (pending, error) in computed.Failures)
        {
            pending.Fail(error);
        }
    }
}
