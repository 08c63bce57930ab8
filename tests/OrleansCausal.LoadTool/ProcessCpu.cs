using System.Diagnostics;

namespace OrleansCausal.LoadTool;

/// <summary>The process's CPU time (all threads: the load generator and every server it hosts) over a window.</summary>
internal static class ProcessCpu
{
    /// <summary>Waits <paramref name="warmup"/>, then returns the CPU time used during the following
    /// <paramref name="duration"/>.</summary>
    public static Task<TimeSpan> MeasureWindowAsync(TimeSpan warmup, TimeSpan duration, CancellationToken cancellationToken) =>
        MeasureWindowAsync(Task.Delay(warmup, cancellationToken), () => Task.Delay(duration, cancellationToken));

    /// <summary>The CPU time used between <paramref name="windowOpens"/> completing and the task
    /// <paramref name="windowCloses"/> returns completing.</summary>
    internal static async Task<TimeSpan> MeasureWindowAsync(Task windowOpens, Func<Task> windowCloses)
    {
        await windowOpens;
        var before = Used();
        await windowCloses();
        return Used() - before;
    }

    private static TimeSpan Used()
    {
        using var process = Process.GetCurrentProcess();
        return process.TotalProcessorTime;
    }
}
