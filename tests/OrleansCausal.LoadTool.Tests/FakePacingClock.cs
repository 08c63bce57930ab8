using OrleansCausal.LoadTool.OpenLoop;

namespace OrleansCausal.LoadTool.Tests;

/// <summary>Virtual time in microseconds: sleeping jumps the clock forward, nothing else moves it.</summary>
internal sealed class FakePacingClock : IPacingClock
{
    private long _now;

    public long TicksPerSecond => 1_000_000;

    public long Now => Interlocked.Read(ref _now);

    public void SleepUntil(long ticks)
    {
        long current;
        while ((current = Now) < ticks && Interlocked.CompareExchange(ref _now, ticks, current) != current)
        {
        }
    }
}
