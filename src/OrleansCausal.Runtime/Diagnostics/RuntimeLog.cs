using Microsoft.Extensions.Logging;

namespace OrleansCausal.Runtime.Diagnostics;

internal static partial class RuntimeLog
{
    [LoggerMessage(EventId = 1001, Level = LogLevel.Warning,
        Message = "The sibling cap {MaxSiblings} of namespace {Namespace} pruned {Count} sibling(s) of record {Key} (new bin {Dot})")]
    public static partial void LogWarningSiblingsPruned(ILogger logger, string @namespace, string key, int count, int maxSiblings, string dot);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Debug, Message = "Deactivated {Count} idle record actor(s); {Active} remain active")]
    public static partial void LogDebugIdleDeactivated(ILogger logger, int count, int active);

    [LoggerMessage(EventId = 1003, Level = LogLevel.Debug, Message = "The actor cap {MaxActive} deactivated the record actor of {Key}")]
    public static partial void LogDebugCapDeactivated(ILogger logger, int maxActive, string key);

    [LoggerMessage(EventId = 1004, Level = LogLevel.Information,
        Message = "Runtime ready for region {Region}: {NamespaceCount} configured namespace(s), unknown namespaces {OpenOrClosed}")]
    public static partial void LogInformationRuntimeReady(ILogger logger, string region, int namespaceCount, string openOrClosed);
}
