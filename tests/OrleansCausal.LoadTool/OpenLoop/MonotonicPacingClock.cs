using System.Diagnostics;
using System.Runtime.InteropServices;

namespace OrleansCausal.LoadTool.OpenLoop;

/// <summary>
/// <see cref="Stopwatch"/> time, and sleeps with the C library's <c>nanosleep</c>: .NET's <c>Thread.Sleep</c> and
/// timers round to whole milliseconds, which at 2,000 requests/s (one every 0.5 ms) would send requests in bursts
/// late by up to a millisecond — lateness an open-loop run counts as latency. Falls back to <c>Thread.Sleep</c>
/// where there is no libc.
/// </summary>
internal sealed class MonotonicPacingClock : IPacingClock
{
    public static readonly MonotonicPacingClock Instance = new();

    private static readonly bool HasNanosleep = OperatingSystem.IsLinux() || OperatingSystem.IsMacOS();

    public long TicksPerSecond => Stopwatch.Frequency;

    public long Now => Stopwatch.GetTimestamp();

    public void SleepUntil(long ticks)
    {
        while (true)
        {
            var remaining = ticks - Stopwatch.GetTimestamp();
            if (remaining <= 0)
            {
                return;
            }

            var nanoseconds = remaining * (1_000_000_000.0 / Stopwatch.Frequency);
            if (HasNanosleep)
            {
                var request = new TimeSpec((long)(nanoseconds / 1_000_000_000), (long)(nanoseconds % 1_000_000_000));
                _ = NanoSleep(in request, IntPtr.Zero);
            }
            else
            {
                Thread.Sleep(TimeSpan.FromMilliseconds(Math.Max(1, nanoseconds / 1_000_000)));
            }
        }
    }

    [DllImport("libc", EntryPoint = "nanosleep")]
    private static extern int NanoSleep(in TimeSpec request, IntPtr remaining);

    [StructLayout(LayoutKind.Sequential)]
    private readonly record struct TimeSpec(long Seconds, long Nanoseconds);
}
