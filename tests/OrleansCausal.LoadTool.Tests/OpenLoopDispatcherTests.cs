using OrleansCausal.LoadTool.OpenLoop;

namespace OrleansCausal.LoadTool.Tests;

public sealed class OpenLoopDispatcherTests
{
    private const long Millisecond = 1_000;

    /// <summary>HdrHistogram at 3 significant digits reports a value's bucket: equal within 0.1 %.</summary>
    private static void AssertMs(double expected, double actual) => Assert.InRange(actual, expected * 0.999, expected * 1.001);

    [Fact]
    public async Task A_stalled_response_makes_the_requests_queued_behind_it_count_from_their_scheduled_times()
    {
        // 1,000 requests/s for 20 ms over one connection; request 0 stalls 10 ms, every other takes 0.1 ms.
        var clock = new FakePacingClock();
        var server = new OneConnectionServer(clock, index => index == 0 ? 10 * Millisecond : Millisecond / 10);
        var schedule = new RateSchedule(0, 1_000, clock.TicksPerSecond);

        var result = await new OpenLoopDispatcher(clock).RunAsync(schedule, measureFromTicks: 0, endTicks: 20 * Millisecond, server.SendAsync);

        // Request i (scheduled at i ms) waits for the stalled one: it completes at 10 ms + (i + 1) × 0.1 ms until the
        // queue has drained (request 10), so its latency is 10 − 0.9 i ms; from request 11 on, 0.1 ms each. Measured
        // from the actual send time instead, only request 0 would show the stall.
        var expected = Enumerable.Range(0, 20).Select(i => i <= 10 ? 10.0 - 0.9 * i : 0.1).Order().ToArray();
        Assert.Equal(20, result.Scheduled);
        Assert.Equal(20, result.Latency.Count);
        Assert.Equal(0, result.Errors);
        AssertMs(expected[9], result.Latency.P50Ms);   // the 10th of 20 sorted: request 10's 1.0 ms
        AssertMs(expected[^1], result.Latency.MaxMs);  // request 0's 10 ms
        AssertMs(expected[^1], result.Latency.P99Ms);
        Assert.Equal(0, result.MaxSendLateMs);
    }

    [Fact]
    public async Task Without_a_stall_every_latency_is_the_service_time()
    {
        var clock = new FakePacingClock();
        var server = new OneConnectionServer(clock, _ => Millisecond / 5);
        var result = await new OpenLoopDispatcher(clock).RunAsync(new RateSchedule(0, 2_000, clock.TicksPerSecond), 0, 50 * Millisecond, server.SendAsync);

        Assert.Equal(100, result.Latency.Count);
        AssertMs(0.2, result.Latency.P50Ms);
        AssertMs(0.2, result.Latency.MaxMs);
    }

    [Fact]
    public async Task Requests_are_sent_on_schedule_without_waiting_for_earlier_answers()
    {
        // No request answers until all ten have been sent: a dispatcher that waited for an answer would never finish.
        var clock = new FakePacingClock();
        var sent = 0;
        var allSent = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        async Task<RequestOutcome> Send(long index)
        {
            if (Interlocked.Increment(ref sent) == 10)
            {
                allSent.SetResult();
            }

            await allSent.Task;
            return new RequestOutcome(true, clock.Now);
        }

        var result = await new OpenLoopDispatcher(clock).RunAsync(new RateSchedule(0, 1_000, clock.TicksPerSecond), 0, 10 * Millisecond, Send)
            .WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(10, result.Latency.Count);
        AssertMs(9.0, result.Latency.MaxMs); // request 0, scheduled at 0, answered when request 9 was sent at 9 ms
    }

    [Fact]
    public async Task Warm_up_requests_are_sent_but_not_recorded_and_failures_are_counted_not_timed()
    {
        var clock = new FakePacingClock();
        var server = new OneConnectionServer(clock, _ => Millisecond / 10);
        Task<RequestOutcome> Send(long index) => index % 4 == 3
            ? Task.FromResult(new RequestOutcome(false, clock.Now))
            : server.SendAsync(index);

        var result = await new OpenLoopDispatcher(clock).RunAsync(new RateSchedule(0, 1_000, clock.TicksPerSecond), measureFromTicks: 8 * Millisecond, endTicks: 20 * Millisecond, Send);

        Assert.Equal(12, result.Scheduled);   // requests 8..19
        Assert.Equal(3, result.Errors);       // 11, 15, 19
        Assert.Equal(9, result.Latency.Count);
        Assert.Equal(9 / 0.012, result.CompletedPerSecond, 6);
    }

    [Fact]
    public async Task A_server_that_falls_behind_shows_its_own_rate_not_the_offered_one()
    {
        // Offered 1,000/s for 100 ms; the server needs 2 ms per request, so the last of the 100 answers at 200 ms.
        var clock = new FakePacingClock();
        var server = new OneConnectionServer(clock, _ => 2 * Millisecond);
        var result = await new OpenLoopDispatcher(clock).RunAsync(new RateSchedule(0, 1_000, clock.TicksPerSecond), 0, 100 * Millisecond, server.SendAsync);

        Assert.Equal(100, result.Latency.Count);
        Assert.Equal(500, result.CompletedPerSecond, 6);
        AssertMs(101, result.Latency.MaxMs); // request 99: scheduled at 99 ms, answered at 200 ms
    }
}
