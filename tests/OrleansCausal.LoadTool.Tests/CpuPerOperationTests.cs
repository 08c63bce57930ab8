using Xunit;

namespace OrleansCausal.LoadTool.Tests;

public sealed class CpuPerOperationTests
{
    [Fact]
    public void Process_cpu_over_the_window_is_divided_by_the_operations_measured_in_it()
    {
        var summary = new LatencyRecorder.Summary(Operations: 400, PerSecond: 40, P50Ms: 1, P99Ms: 2, P999Ms: 3, Errors: 0, CpuTime: TimeSpan.FromMilliseconds(100));

        Assert.Equal(250, summary.CpuMicrosecondsPerOperation!.Value, precision: 6);
    }

    [Fact]
    public void Without_a_cpu_measurement_or_operations_there_is_no_figure()
    {
        Assert.Null(new LatencyRecorder.Summary(400, 40, 1, 2, 3, 0).CpuMicrosecondsPerOperation);
        Assert.Null(new LatencyRecorder.Summary(0, 0, double.NaN, double.NaN, double.NaN, 5, TimeSpan.FromSeconds(1)).CpuMicrosecondsPerOperation);
    }

    [Fact]
    public async Task The_window_counts_the_cpu_burned_between_its_opening_and_its_closing()
    {
        var opens = new TaskCompletionSource();
        var closes = new TaskCompletionSource();
        var window = ProcessCpu.MeasureWindowAsync(opens.Task, () => closes.Task);
        var outside = Burn(megabytes: 256); // before the window: must not be counted
        opens.SetResult();
        var burned = Burn(megabytes: 64);
        closes.SetResult();

        var used = await window;
        // CPU time, not wall time: the same on a loaded machine. Other threads of the test process only add to it.
        Assert.True(used >= burned * 0.8, $"measured {used.TotalMilliseconds} ms of CPU for {burned.TotalMilliseconds} ms burned");
        Assert.True(used < burned + outside / 2, $"measured {used.TotalMilliseconds} ms of CPU: the {outside.TotalMilliseconds} ms burned before the window were counted?");
    }

    /// <summary>Hashes <paramref name="megabytes"/> MB on this thread; returns the CPU time that took.</summary>
    private static TimeSpan Burn(int megabytes)
    {
        var data = new byte[1 << 20];
        var before = System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime;
        for (var i = 0; i < megabytes; i++)
        {
            data[0] = System.Security.Cryptography.SHA256.HashData(data)[0];
        }

        return System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime - before;
    }
}
