using OrleansCausal.Core;

namespace OrleansCausal.Storage.Sqlite;

/// <summary>A write waiting for the writer loop. <see cref="Apply"/> runs inside the batch transaction; it throws
/// before changing anything when the operation itself is refused (forged dot, corrupt record).</summary>
internal abstract class WriteOperation(CancellationToken cancellationToken)
{
    public CancellationToken CancellationToken { get; } = cancellationToken;

    /// <summary>Records this operation changed, known after <see cref="Apply"/>; raised after commit.</summary>
    public List<RecordKey> ChangedKeys { get; } = [];

    /// <summary>True once the operation succeeded, failed or was cancelled.</summary>
    public abstract bool IsDone { get; }

    public abstract void Apply(WriteBatch batch);

    public abstract void Complete();

    public abstract void Fail(Exception error);

    public abstract void Cancel();
}

internal abstract class WriteOperation<TResult>(CancellationToken cancellationToken) : WriteOperation(cancellationToken)
{
    private readonly TaskCompletionSource<TResult> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private TResult? _result;

    public Task<TResult> Task => _completion.Task;

    public override bool IsDone => _completion.Task.IsCompleted;

    public override void Apply(WriteBatch batch) => _result = Execute(batch);

    public override void Complete() => _completion.TrySetResult(_result!);

    public override void Fail(Exception error) => _completion.TrySetException(error);

    public override void Cancel() => _completion.TrySetCanceled(CancellationToken);

    protected abstract TResult Execute(WriteBatch batch);
}

/// <summary>put / delete: one implementation of the semantics, <see cref="CausalRecord.Put"/>.</summary>
internal sealed class PutOperation(PutRequest request, ReplicaId replica, DateTimeOffset writtenAt, CancellationToken cancellationToken)
    : WriteOperation<StoreWriteResult>(cancellationToken)
{
    protected override StoreWriteResult Execute(WriteBatch batch)
    {
        var current = batch.Read(request.Key);
        // Override (If-Match: *): supersede everything the store holds now, as if the writer had read it.
        var context = request.Override ? request.Context.Join(current.Clock) : request.Context;
        var outcome = current.Put(replica, request.Value, context, writtenAt, request.MaxBins);
        var sequence = batch.AppendChange(request.Key, outcome.Written);
        batch.Write(request.Key, outcome.Record);
        ChangedKeys.Add(request.Key);
        return new StoreWriteResult(outcome.Record, outcome.Written, outcome.Pruned, sequence);
    }
}

/// <summary>merge of remote bins (<see cref="CausalRecord.Merge"/>), all-or-nothing, with the inbound position.</summary>
internal sealed class MergeOperation(IReadOnlyList<KeyedBin> bins, InboundPosition? position, ReplicaId replica, CancellationToken cancellationToken)
    : WriteOperation<MergeResult>(cancellationToken)
{
    protected override MergeResult Execute(WriteBatch batch)
    {
        var byKey = new Dictionary<RecordKey, List<Bin>>();
        var order = new List<RecordKey>();
        foreach (var (key, bin) in bins)
        {
            if (!byKey.TryGetValue(key, out var list))
            {
                byKey[key] = list = [];
                order.Add(key);
            }

            list.Add(bin);
        }

        // Compute everything first: a refused bin must leave the whole batch unapplied.
        var outcomes = new List<(RecordKey Key, MergeOutcome Outcome)>(order.Count);
        foreach (var key in order)
        {
            var current = batch.Read(key);
            foreach (var bin in byKey[key])
            {
                if (bin.Dot.Replica == replica && !current.Clock.Covers(bin.Dot))
                {
                    throw new ForgedDotException(key, bin.Dot);
                }
            }

            outcomes.Add((key, current.Merge(byKey[key])));
        }

        var added = 0;
        foreach (var (key, outcome) in outcomes)
        {
            if (outcome.Changed)
            {
                batch.Write(key, outcome.Record);
                ChangedKeys.Add(key);
                added += outcome.Added;
            }
        }

        if (position is not null)
        {
            batch.SaveInboundPosition(position.Source, position.AppliedThrough);
        }

        return new MergeResult(added, [.. ChangedKeys]);
    }
}

internal sealed class CheckpointOperation(string name, long sequence, CancellationToken cancellationToken)
    : WriteOperation<bool>(cancellationToken)
{
    protected override bool Execute(WriteBatch batch)
    {
        batch.SaveCheckpoint(name, sequence);
        return true;
    }
}
