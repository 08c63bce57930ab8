namespace OrleansCausal.LoadTool.OpenLoop;

/// <summary>
/// One open-loop run: requests scheduled in the measured window, how many completed there per second, errors,
/// the achieved rate (completions over the window, or until the last answer when the server fell behind), latency percentiles counted from each request's scheduled time, and how late the dispatcher itself sent (if that is
/// large, the load generator, not the server, was the bottleneck).
/// </summary>
internal sealed record OpenLoopResult(long Scheduled, double CompletedPerSecond, long Errors, LatencySummary Latency, double MaxSendLateMs);
