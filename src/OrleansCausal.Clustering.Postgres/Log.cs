using Microsoft.Extensions.Logging;

namespace OrleansCausal.Clustering.Postgres;

internal static partial class Log
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Information,
        Message = "PostgreSQL membership for cluster {ClusterId} ready at {Database} (version row created if missing: {CreateVersionRow})")]
    public static partial void LogInformationInitialized(this ILogger logger, string clusterId, string database, bool createVersionRow);

    [LoggerMessage(EventId = 2, Level = LogLevel.Debug,
        Message = "Membership {Operation} of {Silo} in cluster {ClusterId} refused: the table version etag {Etag} or the row is stale")]
    public static partial void LogDebugRefused(this ILogger logger, string operation, string silo, string clusterId, string etag);

    [LoggerMessage(EventId = 3, Level = LogLevel.Information,
        Message = "Removed {Count} dead silo entries of cluster {ClusterId} last updated before {BeforeDate}")]
    public static partial void LogInformationCleanedUp(this ILogger logger, int count, string clusterId, DateTimeOffset beforeDate);

    [LoggerMessage(EventId = 4, Level = LogLevel.Warning,
        Message = "Deleted every membership entry of cluster {ClusterId}")]
    public static partial void LogWarningDeleted(this ILogger logger, string clusterId);
}
