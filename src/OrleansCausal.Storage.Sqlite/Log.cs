using Microsoft.Extensions.Logging;

namespace OrleansCausal.Storage.Sqlite;

internal static partial class Log
{
    [LoggerMessage(1, LogLevel.Information, "SQLite store {Path} created for replica {Replica}")]
    public static partial void LogInformationCreated(ILogger logger, string path, string replica);

    [LoggerMessage(2, LogLevel.Information, "SQLite store {Path} opened: replica {Replica}, schema version {SchemaVersion}")]
    public static partial void LogInformationOpened(ILogger logger, string path, string replica, int schemaVersion);

    [LoggerMessage(3, LogLevel.Information, "SQLite store {Path} migrated from schema version {From} to {To}")]
    public static partial void LogInformationMigrated(ILogger logger, string path, int from, int to);

    [LoggerMessage(4, LogLevel.Error, "SQLite store {Path}: record {Key} is corrupt and cannot be served")]
    public static partial void LogErrorCorruptRecord(ILogger logger, string path, string key, Exception error);

    [LoggerMessage(5, LogLevel.Error, "SQLite store {Path}: a batch of {Count} writes failed and was rolled back")]
    public static partial void LogErrorBatchFailed(ILogger logger, string path, int count, Exception error);

    [LoggerMessage(6, LogLevel.Warning, "SQLite store {Path}: a RecordChanged handler failed for {Key}")]
    public static partial void LogWarningHandlerFailed(ILogger logger, string path, string key, Exception error);

    [LoggerMessage(7, LogLevel.Warning, "SQLite store {Path}: a background WAL checkpoint failed; the next one retries (the WAL grows meanwhile, no write is affected)")]
    public static partial void LogWarningCheckpointFailed(ILogger logger, string path, Exception error);
}
