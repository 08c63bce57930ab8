namespace OrleansCausal.Storage.Sqlite;

/// <summary>Deletes change-feed entries through a sequence, always keeping the newest (<see cref="IStoreMaintenance.CompactFeedAsync"/>).
/// AUTOINCREMENT keeps sequences from ever being reused after the rows are gone.</summary>
internal sealed class CompactFeedOperation(long through, CancellationToken cancellationToken) : WriteOperation<long>(cancellationToken)
{
    protected override long Execute(WriteBatch batch) => batch.DeleteChangesThrough(through);
}
