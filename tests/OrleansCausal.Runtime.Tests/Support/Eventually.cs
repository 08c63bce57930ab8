namespace OrleansCausal.Runtime.Tests.Support;

/// <summary>
/// Polls a condition until it holds or a deadline passes. Only for what offers no signal to wait on: another
/// process's progress seen over HTTP, and Orleans membership converging (probes, votes and gossip run on their own
/// timers). The timeout message names the phase and what the last attempt saw.
/// </summary>
public static class Eventually
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan AttemptTimeout = TimeSpan.FromSeconds(5);

    /// <summary>Runs <paramref name="attempt"/> (each try cancelled after 5 s) until it returns <c>Done</c>; an
    /// exception counts as a failed try. Returns how long it took.</summary>
    public static async Task<TimeSpan> UntilAsync(string phase, TimeSpan deadline, Func<CancellationToken, Task<(bool Done, string Seen)>> attempt)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var seen = "nothing yet";
        while (true)
        {
            using (var cancel = new CancellationTokenSource(AttemptTimeout))
            {
                try
                {
                    var (done, description) = await attempt(cancel.Token);
                    if (done)
                    {
                        return clock.Elapsed;
                    }

                    seen = description;
                }
                catch (Exception e) when (e is HttpRequestException or OperationCanceledException or InvalidOperationException or System.Text.Json.JsonException)
                {
                    seen = $"{e.GetType().Name}: {e.Message}";
                }
            }

            if (clock.Elapsed >= deadline)
            {
                throw new TimeoutException($"{phase}: not done within {deadline.TotalSeconds:0.#} s; last seen: {seen}");
            }

            await Task.Delay(Interval);
        }
    }
}
