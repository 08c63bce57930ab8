namespace OrleansCausal.Storage.Sqlite;

/// <summary>Drops the tombstone bins of records that are still exactly as the garbage collector saw them, keeping
/// each record's clock (<see cref="IStoreMaintenance.PurgeAsync"/>).</summary>
internal sealed class PurgeOperation(IReadOnlyList<PurgeCandidate> candidates, CancellationToken cancellationToken)
    : WriteOperation<IReadOnlyList<RecordKey>>(cancellationToken)
{
    protected override IReadOnlyList<RecordKey> Execute(WriteBatch batch)
    {
        var purged = new List<RecordKey>();
        foreach (var candidate in candidates)
        {
            var stored = batch.Load(candidate.Key);
            if (stored.Version == 0 || !stored.Record.Equals(candidate.Record) || Tombstones.Without(stored.Record) is not { } remaining)
            {
                continue;
            }

            Changes.Add((candidate.Key, batch.Write(candidate.Key, remaining)));
            purged.Add(candidate.Key);
        }

        return purged;
    }
}
