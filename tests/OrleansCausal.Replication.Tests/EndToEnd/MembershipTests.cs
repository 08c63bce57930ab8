using System.Globalization;
using System.Net;
using OrleansCausal.Replication.Inbound;
using OrleansCausal.Replication.Tests.TestCluster;
using OrleansCausal.Replication.Wire;

namespace OrleansCausal.Replication.Tests.EndToEnd;

/// <summary>Regions join, leave and lose their store; configuration alone changes membership, and full resends
/// bring a new or rebuilt region up to date.</summary>
public sealed class MembershipTests
{
    private static readonly TimeSpan Quiesce = TimeSpan.FromSeconds(30);

    private static async Task WriteAsync(TestRegion region, string prefix, int count)
    {
        using var client = region.Client();
        for (var i = 0; i < count; i++)
        {
            var read = await client.GetAsync("m", $"{prefix}{i % 7}");
            await client.PutAsync("m", $"{prefix}{i % 7}", $"\"{region.Name}-{prefix}-{i}\"", read.Context);
        }
    }

    [Fact]
    public async Task AddRegion_ByConfigurationWhileRunning_NewRegionCatchesUpOnEverything()
    {
        await using var cluster = await TestCluster.TestCluster.StartAsync(new TestClusterOptions { Regions = ["A", "B"] });
        await WriteAsync(cluster["A"], "a", 20);
        await WriteAsync(cluster["B"], "b", 20);
        await cluster.WaitForQuiescenceAsync(Quiesce);

        var c = cluster.AddRegion("C");
        c.Configuration.Set("Peers:A", cluster.Proxy.PeerUrl("C", "A").ToString());
        c.Configuration.Set("Peers:B", cluster.Proxy.PeerUrl("C", "B").ToString());
        await c.Silos[0].StartAsync();
        cluster.Connect("A", "C");
        cluster.Connect("B", "C");
        await WriteAsync(c, "c", 10);
        await cluster.WaitForQuiescenceAsync(Quiesce);

        var records = await cluster.AssertConvergedAsync();
        Assert.Equal(14 + 7, records.Count);
        Assert.Equal(["B", "C"], (await cluster["A"].StatusAsync()).Select(p => p.Region));
    }

    [Fact]
    public async Task RemovePeer_ByConfiguration_StopsShippingToIt()
    {
        await using var cluster = await TestCluster.TestCluster.StartAsync(new TestClusterOptions { Regions = ["A", "B"] });
        await WriteAsync(cluster["A"], "a", 5);
        await cluster.WaitForQuiescenceAsync(Quiesce);
        var requestsBefore = cluster.Link("A", "B").Requests;

        cluster.Disconnect("A", "B");
        var deadline = DateTime.UtcNow + Quiesce;
        while ((await cluster["A"].StatusAsync()).Count > 0)
        {
            Assert.True(DateTime.UtcNow < deadline, "Phase remove: A still lists peer B after its configuration dropped it.");
            await Task.Delay(20);
        }

        var requestsAfterRemoval = cluster.Link("A", "B").Requests;
        await WriteAsync(cluster["A"], "late", 5);
        await Task.Delay(TimeSpan.FromSeconds(1));

        Assert.True(requestsAfterRemoval >= requestsBefore);
        Assert.Equal(requestsAfterRemoval, cluster.Link("A", "B").Requests);
        using var b = cluster["B"].Client();
        Assert.False((await b.GetAsync("m", "late0")).Found);
    }

    [Fact]
    public async Task RegionThatNeverWrote_Restarted_DoesNotResendEverythingToItsPeer()
    {
        // B starts empty (nothing to send: A is no longer a new peer to it), then holds only A's bins and has never
        // written, so its checkpoint for A stays 0. A restart must not take A for a new peer again.
        await using var cluster = await TestCluster.TestCluster.StartAsync(new TestClusterOptions { Regions = ["A", "B"] });
        await WriteAsync(cluster["A"], "a", 14);
        await cluster.WaitForQuiescenceAsync(Quiesce);

        await cluster["B"].Silo.StopAsync();
        await cluster["B"].Silos[0].StartAsync();
        // A write at B after the restart: once it reached A, B's shipper to A has started and made its decision.
        await WriteAsync(cluster["B"], "b", 1);
        await cluster.WaitForQuiescenceAsync(Quiesce);

        var toA = Assert.Single(await cluster["B"].StatusAsync());
        Assert.True(toA.Repair is null, $"B resent everything to A after its restart: '{toA.Repair}'.");
        await cluster.AssertConvergedAsync();
    }

    [Fact]
    public async Task PeerStoreRebuilt_WhenItReturnsEmpty_FullResendRestoresEverythingIncludingItsOwnOldBins()
    {
        await using var cluster = await TestCluster.TestCluster.StartAsync(new TestClusterOptions { Regions = ["A", "B"] });
        await WriteAsync(cluster["A"], "a", 14);
        await WriteAsync(cluster["B"], "b", 14);
        await cluster.WaitForQuiescenceAsync(Quiesce);
        var oldReplicaB = cluster["B"].Silo.Store.Replica;
        var before = await cluster.AssertConvergedAsync();

        await cluster["B"].Silo.StopAsync();
        foreach (var file in Directory.GetFiles(cluster["B"].DataDirectory))
        {
            File.Delete(file);
        }

        await cluster["B"].Silos[0].StartAsync();
        Assert.NotEqual(oldReplicaB, cluster["B"].Silo.Store.Replica);
        await cluster.WaitForQuiescenceAsync(Quiesce);
        var deadline = DateTime.UtcNow + Quiesce;
        while ((await cluster["B"].Silo.Store.ScanAsync(null, 100, CancellationToken.None)).Count < before.Count)
        {
            Assert.True(DateTime.UtcNow < deadline, "Phase rebuild: B did not receive the full resend.");
            await Task.Delay(50);
        }

        await cluster.WaitForQuiescenceAsync(Quiesce);
        var after = await cluster.AssertConvergedAsync();
        Assert.Equal(before.Select(r => (r.Key, r.Record)), after.Select(r => (r.Key, r.Record)));
    }

    [Fact]
    public async Task AdminResend_Signed_IsScheduledAndUnknownPeerIs404()
    {
        const string secret = "test-cluster-replication-secret";
        await using var cluster = await TestCluster.TestCluster.StartAsync(new TestClusterOptions { Regions = ["A", "B"], ReplicationSecret = secret });
        await WriteAsync(cluster["A"], "a", 3);
        await cluster.WaitForQuiescenceAsync(Quiesce);

        async Task<HttpStatusCode> PostAsync(string region, bool sign)
        {
            var path = ReplicationPaths.AdminResend(region);
            using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(cluster["A"].Silo.BaseAddress, path.TrimStart('/'))) { Content = new ByteArrayContent([]) };
            if (sign)
            {
                var ts = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
                request.Headers.Add(RequestSigner.TimestampHeader, ts.ToString(CultureInfo.InvariantCulture));
                request.Headers.Add(RequestSigner.SignatureHeader, new RequestSigner(secret).Sign("POST", path, ts, []));
            }

            using var http = new HttpClient();
            using var response = await http.SendAsync(request);
            return response.StatusCode;
        }

        var resendRequestsBefore = cluster.Link("A", "B").Requests;
        Assert.Equal(HttpStatusCode.Unauthorized, await PostAsync("B", sign: false));
        Assert.Equal(HttpStatusCode.NotFound, await PostAsync("Q", sign: true));
        Assert.Equal(HttpStatusCode.Accepted, await PostAsync("B", sign: true));
        var deadline = DateTime.UtcNow + Quiesce;
        while (cluster.Link("A", "B").Requests == resendRequestsBefore)
        {
            Assert.True(DateTime.UtcNow < deadline, "Phase admin resend: A sent nothing to B after the resend was scheduled.");
            await Task.Delay(20);
        }

        await cluster.WaitForQuiescenceAsync(Quiesce);
        await cluster.AssertConvergedAsync();
    }
}
