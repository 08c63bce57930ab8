using System.Net;
using OrleansCausal.Runtime.Tests.Support;
using static OrleansCausal.Runtime.Tests.Support.KvApi;

namespace OrleansCausal.Runtime.Tests.Gateway;

/// <summary>Gateway:MaxPendingWrites answers 503 with Retry-After at once when the writes in flight reach the bound;
/// Gateway:RateLimit:PermitsPerSecond answers 429 with Retry-After per API key.</summary>
public sealed class BackPressureTests
{
    private const string KeyA = "rate-key-a-0123456789abcdef";
    private const string KeyB = "rate-key-b-0123456789abcdef";

    [Fact]
    public async Task Put_WhenPendingWritesReachTheBound_Answers503WithRetryAfterAtOnce()
    {
        var (silo, probe) = await TestSilo.StartProbedAsync(new Dictionary<string, string?> { ["Gateway:MaxPendingWrites"] = "2" });
        await using var _ = silo;
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        probe.Gate = gate.Task;

        // Two writes to two records: both are admitted and wait at the store's gate.
        var held = new[] { silo.Client.SendAsync(Put("/v1/kv/default/held-1", "1")), silo.Client.SendAsync(Put("/v1/kv/default/held-2", "2")) };
        await probe.WriteArrived.Task.WaitAsync(TimeSpan.FromSeconds(10));
        await Eventually.UntilAsync("both held writes at the store gate", TimeSpan.FromSeconds(10),
            _ => Task.FromResult((probe.MaxConcurrentWrites >= 2, $"{probe.MaxConcurrentWrites} write(s) at the gate")));

        var clock = System.Diagnostics.Stopwatch.StartNew();
        var (status, problem, _, response) = await silo.Client.SendRawAsync(Put("/v1/kv/default/third", "3"));
        var refusedIn = clock.Elapsed;
        gate.SetResult();
        var admitted = await Task.WhenAll(held);
        var (afterStatus, _, _, _) = await silo.Client.SendRawAsync(Get("/v1/kv/default/third"));
        var accepted = await silo.Client.SendForRecordAsync(Put("/v1/kv/default/fourth", "4"));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        Assert.Equal("Overloaded", problem.GetProperty("error").GetString());
        Assert.Equal(TimeSpan.FromSeconds(1), response.Headers.RetryAfter?.Delta);
        Assert.True(refusedIn < TimeSpan.FromSeconds(2), $"the refusal took {refusedIn}; it must not wait for the queue");
        Assert.All(admitted, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        Assert.Equal(HttpStatusCode.NotFound, afterStatus);
        Assert.Equal("4", accepted.Value!.Value.GetRawText());
    }

    [Fact]
    public async Task Requests_PastThePerKeyRate_Answer429WithRetryAfter_AndOtherKeysAreNotAffected()
    {
        await using var silo = await TestSilo.StartAsync(new Dictionary<string, string?>
        {
            ["Auth:ApiKeys:alpha"] = KeyA,
            ["Auth:ApiKeys:beta"] = KeyB,
            ["Gateway:RateLimit:PermitsPerSecond"] = "1",
            ["Gateway:RateLimit:Burst"] = "3",
        });
        using var alpha = silo.NewClient(KeyA);
        using var beta = silo.NewClient(KeyB);

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 4; i++)
        {
            statuses.Add((await alpha.SendRawAsync(Get("/v1/kv/default/r"))).Status);
        }

        var (limited, problem, _, response) = await alpha.SendRawAsync(Get("/v1/kv/default/r"));
        var (other, _, _, _) = await beta.SendRawAsync(Get("/v1/kv/default/r"));

        Assert.Equal([HttpStatusCode.NotFound, HttpStatusCode.NotFound, HttpStatusCode.NotFound, HttpStatusCode.TooManyRequests], statuses);
        Assert.Equal(HttpStatusCode.TooManyRequests, limited);
        Assert.Equal("RateLimited", problem.GetProperty("error").GetString());
        Assert.Contains("alpha", problem.GetProperty("detail").GetString());
        Assert.NotNull(response.Headers.RetryAfter?.Delta);
        Assert.Equal(HttpStatusCode.NotFound, other);
    }

    [Fact]
    public async Task RateLimit_ByDefault_IsOff()
    {
        await using var silo = await TestSilo.StartAsync();

        var statuses = await Task.WhenAll(Enumerable.Range(0, 50).Select(async _ => (await silo.Client.SendRawAsync(Get("/v1/kv/default/r"))).Status));

        Assert.All(statuses, s => Assert.Equal(HttpStatusCode.NotFound, s));
    }
}
