namespace OrleansCausal.Storage.Sqlite;

/// <summary>Saves a named checkpoint durably, through the same writer as the data it refers to.</summary>
internal sealed class CheckpointOperation(string name, long sequence, CancellationToken cancellationToken)
    : WriteOperation<bool>(cancellationToken)
{
    protected override bool Execute(WriteBatch batch)
    {
        batch.SaveCheckpoint(name, sequence);
        return true;
    }
}
