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
}
