using OrleansCausal.Core;

namespace OrleansCausal.Storage.Sqlite;

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
        var version = batch.Write(request.Key, outcome.Record);
        Changes.Add((request.Key, version));
        return new StoreWriteResult(outcome.Record, outcome.Written, outcome.Pruned, sequence, version);
    }
}
