using Microsoft.Extensions.Logging;

namespace OrleansCausal.Replication.Collection;

/// <summary>Source-generated log messages of the garbage collector.</summary>
internal static partial class CollectionLog
{
    [LoggerMessage(1500, LogLevel.Information, "Storage GC: compacted {Compacted} change-feed entries through {Through}; purged {Purged} tombstone-only record(s); stable cut {StableCut}")]
    public static partial void LogInformationRound(ILogger logger, long compacted, long through, int purged, string stableCut);

    [LoggerMessage(1501, LogLevel.Debug, "Storage GC: {Candidates} tombstone-only record(s) wait: {HeldBackBy}")]
    public static partial void LogDebugHeldBack(ILogger logger, int candidates, string heldBackBy);

    [LoggerMessage(1502, LogLevel.Warning, "Storage GC round failed; the next round retries")]
    public static partial void LogWarningRoundFailed(ILogger logger, Exception exception);
}
