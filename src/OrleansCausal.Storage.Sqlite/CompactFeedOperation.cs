namespace OrleansCausal.Storage.Sqlite;

/// <summary>Deletes change-feed entries through a sequence, always keeping the newest (<see cref="IStoreMaintenance.CompactFeedAsync"/>).
/// Keeping the newest is what keeps a sequence from ever being reused: a new entry's sequence is the largest in the
/// table plus one (schema 4, <see cref="FeedWithoutAutoincrementMigration"/>).</summary>
internal sealed class CompactFeedOperation(long through, CancellationToken cancellationToken) : WriteOperation<long>(cancellationToken)
{
    protected override long Execute(WriteBatch batch) => batch.DeleteChangesThrough(through);
}
