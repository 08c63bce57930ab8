namespace OrleansCausal.Storage.Sqlite;

internal static class DotFloorReads
{
    /// <summary>Reads the durable dot floor inside the batch's transaction, and remembers it.</summary>
    public static ulong ReadDurable(this DotFloorCell cell, WriteBatch batch)
    {
        var durable = (ulong)batch.ReadCheckpoint(PurgeFloors.DotFloorName);
        cell.Raise(durable);
        return durable;
    }
}
