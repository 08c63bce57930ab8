using OrleansCausal.Core;

namespace OrleansCausal.Storage.Sqlite;

/// <summary>
/// A conditional write (<see cref="RecordWrite"/>): applied only when the record is, within the batch, still at the
/// expected version; otherwise this operation alone fails with <see cref="RecordVersionConflictException"/>. Once the
/// version matches, the stored record is what the writer read, and the difference to <see cref="RecordWrite.After"/>
/// is written: the added bins under this store's own replica are appended to the change feed in dot order (merged
/// remote bins never are). A bin already stored is immutable, and an added own bin whose dot the stored clock covers
/// would issue a dot twice: both refuse the write with <see cref="InvalidOperationException"/>.
/// </summary>
internal sealed class ConditionalWriteOperation(RecordWrite write, ReplicaId replica, CancellationToken cancellationToken)
    : WriteOperation<RecordWriteResult>(cancellationToken)
{
    protected override RecordWriteResult Execute(WriteBatch batch)
    {
        var key = write.Key;
        var current = batch.Load(key);
        if (current.Version != write.ExpectedVersion)
        {
            throw new RecordVersionConflictException(key, write.ExpectedVersion, current.Version);
        }

        // The stored record, not the caller's Before: equal when the caller is right, and the truth when it is not.
        var diff = BinDiff.Between(current.Record, write.After);
        var removed = diff.Removed.Select(b => b.Dot).ToHashSet();
        var own = new List<Bin>();
        foreach (var bin in diff.Added)
        {
            if (removed.Contains(bin.Dot))
            {
                throw Refuse($"it changes bin {bin.Dot}, which is already stored; a bin never changes under its dot");
            }

            if (bin.Dot.Replica == replica)
            {
                if (current.Record.Clock.Covers(bin.Dot))
                {
                    throw Refuse($"it adds bin {bin.Dot}, whose dot the stored clock {current.Record.Clock} already covers; a dot is never issued twice");
                }

                own.Add(bin);
            }
        }

        var version = batch.Write(key, write.After);
        var sequence = 0L;
        foreach (var bin in own)
        {
            sequence = batch.AppendChange(key, bin);
        }

        Changes.Add((key, version));
        return new RecordWriteResult(version, sequence);
    }

    private OperationRefusedException Refuse(string why) =>
        new(new InvalidOperationException($"Refused the write to record {write.Key} at version {write.ExpectedVersion}: {why}. Nothing was written."));
}
