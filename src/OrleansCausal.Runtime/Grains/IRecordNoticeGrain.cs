namespace OrleansCausal.Runtime.Grains;

/// <summary>
/// One per silo (key = the silo's parsable address, placed on that silo by <see cref="SiloKeyedPlacementAttribute"/>):
/// hands record versions changed elsewhere to the silo's <see cref="RecordChangeNotices"/>, so its record grains reload
/// before they next serve those records.
/// </summary>
public interface IRecordNoticeGrain : IGrainWithStringKey
{
    Task NoticeAsync(RecordVersions changes);
}

/// <summary>Records (as record-grain keys, see <see cref="RecordGrainKey"/>) and their versions after a change.</summary>
[GenerateSerializer, Immutable]
public sealed record RecordVersions([property: Id(0)] string[] Keys, [property: Id(1)] long[] Versions);
