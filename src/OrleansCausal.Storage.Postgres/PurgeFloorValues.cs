namespace OrleansCausal.Storage.Postgres;

/// <summary>The durable dot and version floors as one write transaction read them (zero when it did not need them:
/// it created no record).</summary>
internal readonly record struct PurgeFloorValues(ulong Dot, long Version)
{
    /// <summary>A record's next version: a record created (again) starts above every purged version.</summary>
    public long Next(long version) => version == 0 ? PurgeFloors.FirstVersion(Version) : version + 1;
}
