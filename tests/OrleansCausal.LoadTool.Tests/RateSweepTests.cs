using OrleansCausal.LoadTool.OpenLoop;

namespace OrleansCausal.LoadTool.Tests;

public sealed class RateSweepTests
{
    [Fact]
    public void The_highest_rate_under_the_bound_skips_rates_with_a_high_p99_or_with_errors()
    {
        static RateSweep.Row Row(double rate, string side, double p99, long errors = 0) =>
            new(rate, "put-fresh", side, new OpenLoopResult(100, rate, errors, new LatencySummary(100, 1, p99, p99, p99), 0), "0.5");

        var rows = new[]
        {
            Row(500, "gateway", 2), Row(1_000, "gateway", 4.9), Row(2_000, "gateway", 5.0), Row(4_000, "gateway", 80),
            Row(500, "bare", 1), Row(1_000, "bare", 1, errors: 3), Row(2_000, "bare", 6),
            Row(500, "slow", 7),
        };

        var highest = RateSweep.HighestRatesUnderBound(rows).ToDictionary(r => r.Side, r => r.Rate);
        Assert.Equal(1_000, highest["gateway"]);
        Assert.Equal(500, highest["bare"]);
        Assert.Null(highest["slow"]);
    }
}
