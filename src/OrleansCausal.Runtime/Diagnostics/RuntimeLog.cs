using Microsoft.Extensions.Logging;

namespace OrleansCausal.Runtime.Diagnostics;

internal static partial class RuntimeLog
{
    [LoggerMessage(EventId = 1001, Level = LogLevel.Warning,
        Message = "The sibling cap {MaxSiblings} of namespace {Namespace} pruned {Count} sibling(s) of record {Key} (new bin {Dot})")]
    public static partial void LogWarningSiblingsPruned(ILogger logger, string @namespace, string key, int count, int maxSiblings, string dot);

    [LoggerMessage(EventId = 1010, Level = LogLevel.Warning,
        Message = "Silo {Silo} did not take the notice of {Count} record(s) changed by a replication merge; it refreshes from the store's notices: {Reason}")]
    public static partial void LogWarningNoticeNotDelivered(ILogger logger, string silo, int count, string reason);

    [LoggerMessage(EventId = 1004, Level = LogLevel.Information,
        Message = "Runtime ready for region {Region}: {NamespaceCount} configured namespace(s), unknown namespaces {OpenOrClosed}")]
    public static partial void LogInformationRuntimeReady(ILogger logger, string region, int namespaceCount, string openOrClosed);

    [LoggerMessage(EventId = 1020, Level = LogLevel.Information,
        Message = "Write to record {Namespace}/{Key} replayed operation {OperationId}: the record already holds it at {Dot}; nothing was written")]
    public static partial void LogInformationOperationReplayed(ILogger logger, string @namespace, string key, string operationId, string dot);
}
