using Microsoft.Extensions.Logging;

namespace OrleansCausal.Runtime.GrainStorage;

internal static partial class GrainStorageLog
{
    [LoggerMessage(1, LogLevel.Information, "Grain storage {Provider}: store {Store} open as replica {Replica}")]
    public static partial void LogInformationStoreOpen(ILogger logger, string provider, string store, string replica);

    [LoggerMessage(2, LogLevel.Information, "Grain storage {Provider}: store {Store} flushed and closed")]
    public static partial void LogInformationStoreClosed(ILogger logger, string provider, string store);

    [LoggerMessage(3, LogLevel.Debug, "Grain storage {Provider}: record {Key} changed underneath a write (expected version {Expected}, store has {Actual}); the grain reloads and retries")]
    public static partial void LogDebugVersionConflict(ILogger logger, string provider, string key, long expected, long actual);
}
