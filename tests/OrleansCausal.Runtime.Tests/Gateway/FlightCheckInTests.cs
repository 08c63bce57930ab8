using OrleansCausal.Runtime.Tests.Support;
using static OrleansCausal.Runtime.Tests.Support.KvApi;

namespace OrleansCausal.Runtime.Tests.Gateway;

/// <summary>
/// The flight check-in example of DESIGN.md §1 within one region over HTTP: two blind writes become siblings, a
/// write carrying the browser's context supersedes only what the browser saw, and the agent's write carrying a full
/// read's context resolves everything to one value.
/// </summary>
public sealed class FlightCheckInTests
{
    [Fact]
    public async Task FlightCheckIn_BlindWritesMakeSiblings_AndContextsResolveThem()
    {
        await using var silo = await TestSilo.StartAsync(new Dictionary<string, string?> { ["Namespaces:seats:Resolver"] = "lww" });
        var http = silo.Client;
        const string path = "/v1/kv/seats/passenger-42";

        // Browser: 12F, no context → A1.
        var browser = await http.SendForRecordAsync(Put(path, "\"12F\""));
        Assert.Equal(["\"12F\""], browser.SiblingValues);
        var a1 = browser.Dots.Single();
        Assert.EndsWith(".1", a1);

        // Mobile: 10D, no context → A2, a sibling of A1 (it never saw A1).
        var mobile = await http.SendForRecordAsync(Put(path, "\"10D\""));
        Assert.Equal(["\"12F\"", "\"10D\""], mobile.SiblingValues);
        var a2 = mobile.Dots.Single(d => d != a1);

        // Browser: 10F with its own context (it saw only A1) → drops A1, the mobile's 10D stays.
        var browserAgain = await http.SendForRecordAsync(Put(path, "\"10F\"", browser.Context));
        Assert.Equal(["\"10D\"", "\"10F\""], browserAgain.SiblingValues);
        Assert.DoesNotContain(a1, browserAgain.Dots);
        Assert.Contains(a2, browserAgain.Dots);

        // Agent reads everything and writes 5C with that context → the single value 5C.
        var agentRead = await http.SendForRecordAsync(Get(path));
        Assert.Equal(2, agentRead.Siblings.Count);
        var agent = await http.SendForRecordAsync(Put(path, "\"5C\"", agentRead.Context));
        Assert.Equal(["\"5C\""], agent.SiblingValues);
        Assert.EndsWith(".4", agent.Dots.Single());

        // A late write with the browser's first (stale) context cannot resurrect anything: it is a new sibling of 5C.
        var late = await http.SendForRecordAsync(Put(path, "\"1A\"", browser.Context));
        Assert.Equal(["\"5C\"", "\"1A\""], late.SiblingValues);
        Assert.DoesNotContain(a1, late.Dots);
        Assert.DoesNotContain(a2, late.Dots);

        var final = await http.SendForRecordAsync(Get(path));
        Assert.Equal(late.Dots, final.Dots);
    }
}
