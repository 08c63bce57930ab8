namespace OrleansCausal.LoadTool.OpenLoop;

/// <summary>
/// Open loop (fixed rate): request <c>i</c> is sent at its scheduled time whether or not earlier ones have answered,
/// and its latency is counted from that scheduled time, not from when it was actually sent. A server that stalls
/// therefore shows the stall in every request scheduled during it (they queue behind it for a connection), instead of
/// in one sample only — the coordinated-omission correction. One dedicated thread paces the sends; completions are
/// recorded wherever they finish.
/// </summary>
internal sealed class OpenLoopDispatcher(IPacingClock clock)
{
    /// <param name="schedule">When each request is due.</param>
    /// <param name="measureFromTicks">Requests scheduled before this are the warm-up: sent, not recorded.</param>
    /// <param name="endTicks">No request scheduled at or after this is sent.</param>
    /// <param name="send">Sends request <c>index</c>; completes with its outcome and the clock time it completed.</param>
    public async Task<OpenLoopResult> RunAsync(RateSchedule schedule, long measureFromTicks, long endTicks, Func<long, Task<RequestOutcome>> send)
    {
        var latencies = LatencySummary.NewHistogram();
        var errors = 0L;
        var maxLate = 0L;
        var lastCompleted = 0L;
        var pending = new List<Task>();
        var count = schedule.CountBefore(endTicks - 1);
        var pacer = new Thread(() =>
        {
            for (var index = 0L; index < count; index++)
            {
                var scheduled = schedule.ScheduledAt(index);
                clock.SleepUntil(scheduled);
                maxLate = Math.Max(maxLate, clock.Now - scheduled);
                pending.Add(Record(index, scheduled));
            }
        }) { IsBackground = true, Name = "open-loop pacer" };

        async Task Record(long index, long scheduled)
        {
            RequestOutcome outcome;
            try
            {
                outcome = await send(index);
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                outcome = new RequestOutcome(false, clock.Now);
            }

            if (scheduled < measureFromTicks)
            {
                return;
            }

            if (!outcome.Succeeded)
            {
                Interlocked.Increment(ref errors);
                return;
            }

            latencies.RecordValue(Math.Max(1, ToMicroseconds(outcome.CompletedAt - scheduled)));
            long seen;
            while ((seen = Interlocked.Read(ref lastCompleted)) < outcome.CompletedAt && Interlocked.CompareExchange(ref lastCompleted, outcome.CompletedAt, seen) != seen)
            {
            }
        }

        pacer.Start();
        await Task.Run(pacer.Join);
        await Task.WhenAll(pending);
        // Achieved rate: what completed, over the window or, when the server fell behind, until the last answer.
        var measuredSeconds = (double)(Math.Max(endTicks, lastCompleted) - measureFromTicks) / clock.TicksPerSecond;
        var scheduledInWindow = count - schedule.CountBefore(measureFromTicks - 1);
        return new OpenLoopResult(scheduledInWindow, latencies.TotalCount / measuredSeconds, errors, LatencySummary.Of(latencies), maxLate * 1000.0 / clock.TicksPerSecond);
    }

    private long ToMicroseconds(long ticks) => (long)Math.Round(ticks * (1_000_000.0 / clock.TicksPerSecond));
}
