using Microsoft.Extensions.Logging;

namespace OrleansCausal.Gateway.Diagnostics;

internal static partial class GatewayLog
{
    [LoggerMessage(EventId = 2003, Level = LogLevel.Warning,
        Message = "No Context:SigningKey is configured: generated one and saved it in {Path}. Every silo of every region must use the same key; set Context:SigningKey explicitly before adding a region")]
    public static partial void LogWarningSigningKeyGenerated(ILogger logger, string path);

    [LoggerMessage(EventId = 2004, Level = LogLevel.Warning,
        Message = "No Context:SigningKey is configured: using the key saved in {Path}. Every silo of every region must use the same key; set Context:SigningKey explicitly before adding a region")]
    public static partial void LogWarningSigningKeyFromFile(ILogger logger, string path);

    [LoggerMessage(EventId = 2005, Level = LogLevel.Warning,
        Message = "No Context:SigningKey is configured: using a key for this process only (memory store); contexts issued now are refused after a restart")]
    public static partial void LogWarningSigningKeyEphemeral(ILogger logger);

    [LoggerMessage(EventId = 2006, Level = LogLevel.Warning,
        Message = "No Region is configured and no peers are: serving the single region '{Region}'")]
    public static partial void LogWarningRegionDefaulted(ILogger logger, string region);

    [LoggerMessage(EventId = 2007, Level = LogLevel.Error, Message = "The store failed on {Method} {Path}")]
    public static partial void LogErrorStoreFailed(ILogger logger, Exception exception, string method, string path);

    [LoggerMessage(EventId = 2008, Level = LogLevel.Warning,
        Message = "No API keys are configured (Auth:ApiKeys): the /v1 API is open to anyone who can reach {Urls} (loopback only)")]
    public static partial void LogWarningNoApiKeys(ILogger logger, string urls);

    [LoggerMessage(EventId = 2009, Level = LogLevel.Warning,
        Message = "{Method} {Path} answered 503: a silo of this region is unreachable ({Failure}); its records move to the others within the membership timeout")]
    public static partial void LogWarningClusterUnavailable(ILogger logger, string method, string path, string failure);

    [LoggerMessage(EventId = 2010, Level = LogLevel.Warning,
        Message = "{Method} {Path} from {RemoteAddress} refused: {Reason} (send 'Authorization: Bearer KEY' with a key under Auth:ApiKeys)")]
    public static partial void LogWarningRequestUnauthenticated(ILogger logger, string method, string path, string? remoteAddress, string reason);
}
