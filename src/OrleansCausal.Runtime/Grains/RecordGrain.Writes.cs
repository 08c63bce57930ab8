using Orleans.Storage;
using OrleansCausal.Core;
using OrleansCausal.Runtime.Diagnostics;
using OrleansCausal.Storage;

namespace OrleansCausal.Runtime.Grains;

/// <summary>
/// Writes, batched per record. <see cref="WriteAsync"/> interleaves (it is <c>[AlwaysInterleave]</c>) only to queue:
/// one batch is persisted at a time, and the writes that arrived meanwhile form the next batch, persisted by the first
/// of their callers to run once the batch in flight is done. A batch is computed exactly as its writes would be one by
/// one — each put on the record as the previous write in the batch left it (DESIGN.md §1: one dot after another, each
/// dropping what its context covers, the sibling cap applied each time) — and persisted with one conditional write
/// through the grain storage. Nothing is acknowledged before that write is durable; when it is refused (the version
/// moved: a merge, or a second activation), the grain reloads and computes the whole batch again, so no dot is issued
/// twice. Each caller gets the record as it stood right after its own write.
/// </summary>
public sealed partial class RecordGrain
{
    /// <summary>Conflicts need a concurrent writer each; past this many in a row the batch fails (503) instead of spinning.</summary>
    private const int MaxWriteAttempts = 16;

    private readonly List<QueuedWrite> _queued = [];
    private Task? _batchInFlight;

    public async Task<RecordWriteOutcome> WriteAsync(RecordWriteCommand command)
    {
        var write = new QueuedWrite(command);
        _queued.Add(write);
        while (!write.Done.IsCompleted)
        {
            if (_batchInFlight is { } inFlight)
            {
                // Wait for our write to be done (it is in the batch in flight) or for our turn to persist the next batch.
                await Task.WhenAny(write.Done, inFlight);
                continue;
            }

            var finished = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _batchInFlight = finished.Task;
            QueuedWrite[] batch = [.. _queued];
            _queued.Clear();
            try
            {
                await PersistBatchAsync(batch);
            }
            finally
            {
                _batchInFlight = null;
                finished.SetResult();
            }
        }

        return await write.Done;
    }

    /// <summary>Computes and persists <paramref name="batch"/>; completes every write in it, and never throws.</summary>
    private async Task PersistBatchAsync(QueuedWrite[] batch)
    {
        using var activity = StartActivity("record.write");
        activity?.SetTag("orleans_causal.batch", batch.Length);
        try
        {
            var settings = _namespaces.Get(_key.Namespace);
            for (var attempt = 1; ; attempt++)
            {
                activity?.SetTag("orleans_causal.attempt", attempt);
                if (StateVersion() < Math.Max(_mark.Highest, _mark.Snapshot.Version))
                {
                    await _state.ReadStateAsync();
                }

                var record = _state.State.Record;
                var writes = 0;
                foreach (var write in batch)
                {
                    if (write.Failure is not null)
                    {
                        continue;
                    }

                    record = Apply(write, record, settings.MaxSiblings);
                    writes += write.Replayed ? 0 : 1;
                }

                if (writes > 0)
                {
                    _state.State.Record = record;
                    try
                    {
                        await _state.WriteStateAsync();
                    }
                    catch (InconsistentStateException conflict)
                    {
                        // Nothing was written; the stored record moved. Reload and compute the batch again.
                        _state.State.Record = _state.State.Persisted;
                        if (attempt == MaxWriteAttempts)
                        {
                            FailAll(batch, new RecordStoreException(
                                $"Record {_key} changed under {MaxWriteAttempts} write attempts in a row; nothing was written. Retry the request.", conflict, _key));
                            return;
                        }

                        await _state.ReadStateAsync();
                        continue;
                    }
                    catch
                    {
                        _state.State.Record = _state.State.Persisted;
                        throw;
                    }

                    Publish(new RecordSnapshot(record, StateVersion()));
                }

                Acknowledge(batch, settings.MaxSiblings);
                return;
            }
        }
        catch (Exception e)
        {
            FailAll(batch, e);
        }
    }

    /// <summary>One write of the batch on <paramref name="record"/>: its outcome (or replay, or failure) is kept on
    /// <paramref name="write"/>; returns the record after it.</summary>
    private CausalRecord Apply(QueuedWrite write, CausalRecord record, int maxSiblings)
    {
        var command = write.Command;
        if (command.OperationId is { } operationId && record.FindOperation(operationId) is { } held)
        {
            // A retry or a second delivery of an operation the record holds (live, or seen superseded; possibly
            // earlier in this batch): answer the record as it stands and write nothing.
            write.Computed(record, held, writtenAt: default, pruned: 0, replayed: true);
            return record;
        }

        try
        {
            var context = command.Override ? command.Context.Join(record.Clock) : command.Context;
            var outcome = record.Put(_store.Replica, command.Value, context, AcceptedAt(), maxSiblings, command.Writer, command.OperationId, _operationWindow);
            write.Computed(outcome.Record, outcome.Written.Dot, outcome.Written.WrittenAt, outcome.Pruned, replayed: false);
            return outcome.Record;
        }
        catch (Exception e)
        {
            // This write alone fails; the rest of the batch goes on without it.
            write.Failure = e;
            return record;
        }
    }

    /// <summary>The batch is durable: answer each write with the record right after it.</summary>
    private void Acknowledge(QueuedWrite[] batch, int maxSiblings)
    {
        var version = StateVersion();
        foreach (var write in batch)
        {
            if (write.Failure is { } failure)
            {
                write.Fail(failure);
                continue;
            }

            if (write.Replayed)
            {
                _metrics.Replayed(_key.Namespace);
                RuntimeLog.LogInformationOperationReplayed(_logger, _key.Namespace, _key.Key, write.Command.OperationId!, write.Dot.ToString());
            }
            else
            {
                _metrics.Written(_key, write.Record.Siblings, write.WrittenAt);
                if (write.Pruned > 0)
                {
                    _metrics.Pruned(_key.Namespace, write.Pruned);
                    RuntimeLog.LogWarningSiblingsPruned(_logger, _key.Namespace, _key.Key, write.Pruned, maxSiblings, write.Dot.ToString());
                }
            }

            write.Succeed(new RecordWriteOutcome(new RecordSnapshot(write.Record, version), write.Dot, write.Pruned, write.Replayed));
        }
    }

    private static void FailAll(QueuedWrite[] batch, Exception failure)
    {
        foreach (var write in batch)
        {
            write.Fail(write.Failure ?? failure);
        }
    }

    /// <summary>A write waiting in, or computed for, a batch.</summary>
    private sealed class QueuedWrite(RecordWriteCommand command)
    {
        private readonly TaskCompletionSource<RecordWriteOutcome> _done = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public RecordWriteCommand Command { get; } = command;

        public Task<RecordWriteOutcome> Done => _done.Task;

        public CausalRecord Record { get; private set; } = CausalRecord.Empty;

        public Dot Dot { get; private set; }

        public DateTimeOffset WrittenAt { get; private set; }

        public int Pruned { get; private set; }

        public bool Replayed { get; private set; }

        public Exception? Failure { get; set; }

        public void Computed(CausalRecord record, Dot dot, DateTimeOffset writtenAt, int pruned, bool replayed) =>
            (Record, Dot, WrittenAt, Pruned, Replayed) = (record, dot, writtenAt, pruned, replayed);

        public void Succeed(RecordWriteOutcome outcome) => _done.TrySetResult(outcome);

        public void Fail(Exception failure) => _done.TrySetException(failure);
    }
}
