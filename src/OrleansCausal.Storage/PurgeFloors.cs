using OrleansCausal.Core;

namespace OrleansCausal.Storage;

/// <summary>
/// The two numbers a purge leaves behind, kept durably as named checkpoints (one row each, no per-record state): the
/// dot floor (no own counter at or below it is issued again) and the version floor (a record created later starts
/// its versions above it).
/// </summary>
public static class PurgeFloors
{
    public const string DotFloorName = "purge:dot-floor";

    public const string VersionFloorName = "purge:version-floor";

    /// <summary>The version a record gets when it is created: above every version a purged record had.</summary>
    public static long FirstVersion(long versionFloor) => Math.Max(versionFloor, 0) + 1;

    /// <summary>The record without its tombstone bins, with the same clock (so the dropped dots stay covered); null
    /// when it holds no tombstone. No bin of the result is covered by another's context: none was before.</summary>
    public static CausalRecord? WithoutTombstones(CausalRecord record) =>
        record.Bins.Any(static b => b.IsTombstone)
            ? CausalRecord.Restore(record.Bins.Where(static b => !b.IsTombstone), record.Clock)
            : null;
}
