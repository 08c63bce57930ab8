namespace OrleansCausal.LoadTool.OpenLoop;

/// <summary>The clock an open-loop dispatcher paces itself by: a monotonic timestamp and a wait until a given one.</summary>
internal interface IPacingClock
{
    long TicksPerSecond { get; }

    long Now { get; }

    /// <summary>Blocks the calling (dispatcher) thread until <see cref="Now"/> is at least <paramref name="ticks"/>.</summary>
    void SleepUntil(long ticks);
}
