using OrleansCausal.Core;

namespace OrleansCausal.Storage.Sqlite;

/// <summary>Drops the tombstone bins of records that are still exactly as the garbage collector saw them; removes a
/// record left with none and raises the dot and version floors in the same transaction (<see cref="IStoreMaintenance.PurgeAsync"/>).</summary>
internal sealed class PurgeOperation(IReadOnlyList<PurgeCandidate> candidates, ReplicaId replica, DotFloorCell dotFloor, CancellationToken cancellationToken)
    : WriteOperation<IReadOnlyList<RecordKey>>(cancellationToken)
{
    protected override IReadOnlyList<RecordKey> Execute(WriteBatch batch)
    {
        var purged = new List<RecordKey>();
        var dot = dotFloor.ReadDurable(batch);
        var version = batch.ReadCheckpoint(PurgeFloors.VersionFloorName);
        foreach (var candidate in candidates)
        {
            var stored = batch.Load(candidate.Key);
            if (stored.Version == 0 || !stored.Record.Equals(candidate.Record) || PurgeFloors.WithoutTombstones(stored.Record) is not { } remaining)
            {
                continue;
            }

            if (remaining.Bins.Count > 0)
            {
                Changes.Add((candidate.Key, batch.Write(candidate.Key, remaining)));
            }
            else
            {
                dot = Math.Max(dot, stored.Record.Clock.Get(replica));
                version = Math.Max(version, stored.Version);
                batch.Remove(candidate.Key);
            }

            purged.Add(candidate.Key);
        }

        if (purged.Count > 0)
        {
            // Raised here before the commit: a writer that sees the record gone already computes above the floor.
            dotFloor.Raise(dot);
            batch.SaveCheckpoint(PurgeFloors.DotFloorName, (long)dot);
            batch.SaveCheckpoint(PurgeFloors.VersionFloorName, version);
        }

        return purged;
    }
}
