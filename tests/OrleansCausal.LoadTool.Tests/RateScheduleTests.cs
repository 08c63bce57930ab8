using OrleansCausal.LoadTool.OpenLoop;

namespace OrleansCausal.LoadTool.Tests;

public sealed class RateScheduleTests
{
    [Fact]
    public void A_whole_second_of_requests_lands_exactly_on_the_second_without_drift()
    {
        var schedule = new RateSchedule(StartTicks: 123, RatePerSecond: 3_000, TicksPerSecond: 1_000_000_000);
        Assert.Equal(123 + 60L * 1_000_000_000, schedule.ScheduledAt(60 * 3_000));
        Assert.Equal(123 + 333_333, schedule.ScheduledAt(1));
    }

    [Fact]
    public void Count_before_a_time_is_the_first_index_not_yet_due_for_random_rates_and_times()
    {
        var random = new Random(20261202);
        for (var trial = 0; trial < 10_000; trial++)
        {
            var schedule = new RateSchedule(random.NextInt64(0, 1L << 40), random.Next(1, 20_000) + random.NextDouble(), 1_000_000_000);
            var at = schedule.StartTicks + random.NextInt64(-1_000_000, 10_000_000_000);
            var count = schedule.CountBefore(at);

            Assert.True(count >= 0);
            Assert.True(count == 0 || schedule.ScheduledAt(count - 1) <= at, $"request {count - 1} is due by {at}");
            Assert.True(schedule.ScheduledAt(count) > at, $"request {count} is not due by {at}");
        }
    }
}
