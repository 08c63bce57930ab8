using OrleansCausal.LoadTool.OpenLoop;

namespace OrleansCausal.LoadTool.Tests;

/// <summary>
/// A simulated server with one connection, in the fake clock's time: a request starts when it is sent or when the
/// previous one has finished, whichever is later, and takes <c>serviceTicks(index)</c>.
/// </summary>
internal sealed class OneConnectionServer(IPacingClock clock, Func<long, long> serviceTicks)
{
    private long _freeAt;

    public Task<RequestOutcome> SendAsync(long index)
    {
        var startsAt = Math.Max(clock.Now, _freeAt);
        _freeAt = startsAt + serviceTicks(index);
        return Task.FromResult(new RequestOutcome(true, _freeAt));
    }
}
