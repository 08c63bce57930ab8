namespace OrleansCausal.LoadTool.OpenLoop;

/// <summary>How one scheduled request ended: whether the server answered as expected, and when (clock ticks).</summary>
internal readonly record struct RequestOutcome(bool Succeeded, long CompletedAt);
