using Microsoft.Extensions.Logging;

namespace OrleansCausal.Storage.Postgres;

internal static partial class PostgresRecordStoreLog
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Opened PostgreSQL store {Description} for replica {Replica} (schema version {SchemaVersion}).")]
    public static partial void LogInformationOpened(this ILogger logger, string description, string replica, int schemaVersion);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "Created the PostgreSQL store in {Description} for region {Region}: new replica {Replica}.")]
    public static partial void LogInformationCreated(this ILogger logger, string description, string region, string replica);

    [LoggerMessage(EventId = 3, Level = LogLevel.Information, Message = "Migrated the PostgreSQL store schema in {Description} from version {From} to {To}.")]
    public static partial void LogInformationMigrated(this ILogger logger, string description, int from, int to);

    [LoggerMessage(EventId = 4, Level = LogLevel.Warning, Message = "The PostgreSQL server behind {Description} runs with {Setting} = {Value}: an acknowledged write may be lost on a server crash.")]
    public static partial void LogWarningNotDurable(this ILogger logger, string description, string setting, string value);

    [LoggerMessage(EventId = 5, Level = LogLevel.Error, Message = "Record {Key} in {Description} is corrupt and cannot be decoded.")]
    public static partial void LogErrorCorruptRecord(this ILogger logger, Exception exception, string key, string description);

    [LoggerMessage(EventId = 6, Level = LogLevel.Error, Message = "A group commit of {Count} writes to {Description} failed.")]
    public static partial void LogErrorBatchFailed(this ILogger logger, Exception exception, int count, string description);

    [LoggerMessage(EventId = 7, Level = LogLevel.Warning, Message = "The LISTEN connection to {Description} was lost; reconnecting in {DelayMs} ms.")]
    public static partial void LogWarningListenLost(this ILogger logger, Exception exception, string description, long delayMs);

    [LoggerMessage(EventId = 8, Level = LogLevel.Information, Message = "Listening for changes by other silos on {Description} (channel {Channel}).")]
    public static partial void LogInformationListening(this ILogger logger, string description, string channel);

    [LoggerMessage(EventId = 9, Level = LogLevel.Warning, Message = "Ignored a malformed change notification on channel {Channel}.")]
    public static partial void LogWarningBadNotification(this ILogger logger, Exception exception, string channel);

    [LoggerMessage(EventId = 10, Level = LogLevel.Error, Message = "A RecordChanged handler threw for record {Key}.")]
    public static partial void LogErrorHandlerFailed(this ILogger logger, Exception exception, string key);

    [LoggerMessage(EventId = 11, Level = LogLevel.Warning, Message = "Retrying a transaction on {Description} after a transient conflict ({SqlState}), attempt {Attempt}.")]
    public static partial void LogWarningRetry(this ILogger logger, string description, string sqlState, int attempt);

    [LoggerMessage(EventId = 12, Level = LogLevel.Warning, Message = "The key {Key} is too long to be announced by NOTIFY; other silos will not refresh it from a notification.")]
    public static partial void LogWarningNotificationTooLong(this ILogger logger, string key);

    [LoggerMessage(EventId = 13, Level = LogLevel.Warning, Message = "Could not send {Count} change notifications on {Description}; other silos refresh those records later.")]
    public static partial void LogWarningNotifyFailed(this ILogger logger, Exception exception, int count, string description);
}
