namespace OrleansCausal.LoadTool.OpenLoop;

/// <summary>
/// When each request of an open-loop run is due: request <c>i</c> at <c>start + i / rate</c>, computed from the index
/// (never by adding an interval to the previous time, so rounding does not drift over a long run). Times are in the
/// clock's ticks (<see cref="IPacingClock.TicksPerSecond"/>).
/// </summary>
internal readonly record struct RateSchedule(long StartTicks, double RatePerSecond, long TicksPerSecond)
{
    public long ScheduledAt(long index) => StartTicks + (long)Math.Floor(index * (double)TicksPerSecond / RatePerSecond);

    /// <summary>How many requests are due at or before <paramref name="ticks"/> (= the first index not yet due).</summary>
    public long CountBefore(long ticks)
    {
        if (ticks < StartTicks)
        {
            return 0;
        }

        var count = (long)Math.Floor((ticks - StartTicks) * RatePerSecond / TicksPerSecond) + 1;
        while (ScheduledAt(count) <= ticks) // floating-point edges: settle on the exact count
        {
            count++;
        }

        while (count > 0 && ScheduledAt(count - 1) > ticks)
        {
            count--;
        }

        return count;
    }
}
