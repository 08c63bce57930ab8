namespace OrleansCausal.Replication.Tests.TestCluster;

/// <summary>
/// What the network does to replication requests on one directed link (region → region). Changed at any time by a
/// test; read by <see cref="LinkProxy"/> per request.
/// <list type="bullet">
/// <item><see cref="IsCut"/>: the connection is dropped (the sender sees a network error).</item>
/// <item><see cref="MaxDelay"/>: each request waits a random time up to this before it is forwarded.</item>
/// <item><see cref="DuplicateProbability"/>: after delivery, a copy is delivered again later (a stale duplicate that
/// arrives after newer batches).</item>
/// <item><see cref="ReorderProbability"/>: the request is answered 200 without being forwarded, and delivered later,
/// out of order — a middlebox that lies; the receiver's gap detection must make the sender rewind.</item>
/// </list>
/// </summary>
public sealed class LinkFaults
{
    public LinkFaults(string from, string to)
    {
        From = from;
        To = to;
    }

    public string From { get; }

    public string To { get; }

    public volatile bool IsCut;

    public TimeSpan MaxDelay { get; set; }

    public double DuplicateProbability { get; set; }

    public double ReorderProbability { get; set; }

    /// <summary>Requests seen on this link (for tests that want to know traffic flowed).</summary>
    public int Requests;

    /// <summary>Answers 409 seen on this link (the receiver refused a gap).</summary>
    public int Gaps;

    private TaskCompletionSource? _holdNext;
    private readonly List<Func<Task>> _held = [];

    /// <summary>The next batch carrying bins on this link (heartbeats pass) is answered 200 without being forwarded and kept until
    /// <see cref="ReleaseHeldAsync"/>: a lost batch whose loss the sender cannot see. The task completes when it was held.</summary>
    public Task HoldNextAsync()
    {
        lock (_held)
        {
            _holdNext = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            return _holdNext.Task;
        }
    }

    internal bool TryHold(Func<Task> deliver)
    {
        lock (_held)
        {
            if (_holdNext is null)
            {
                return false;
            }

            _held.Add(deliver);
            _holdNext.SetResult();
            _holdNext = null;
            return true;
        }
    }

    /// <summary>Delivers the held requests now (late, after whatever was shipped since).</summary>
    public async Task ReleaseHeldAsync()
    {
        List<Func<Task>> held;
        lock (_held)
        {
            held = [.. _held];
            _held.Clear();
        }

        foreach (var deliver in held)
        {
            await deliver();
        }
    }

    public void Heal()
    {
        IsCut = false;
        MaxDelay = TimeSpan.Zero;
        DuplicateProbability = 0;
        ReorderProbability = 0;
    }

    public override string ToString() =>
        $"{From}->{To}: cut={IsCut} delay<={MaxDelay.TotalMilliseconds}ms dup={DuplicateProbability:F2} reorder={ReorderProbability:F2} requests={Requests} gaps={Gaps}";
}
