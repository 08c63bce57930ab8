using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using OrleansCausal.Core;
using OrleansCausal.Replication.Inbound;
using OrleansCausal.Replication.Wire;
using OrleansCausal.Replication.Tests.TestCluster;
using OrleansCausal.Storage;

namespace OrleansCausal.Replication.Tests.EndToEnd;

/// <summary>The receiving endpoint over real HTTP on a SQLite-backed silo: every refusal applies nothing.</summary>
public sealed class ReplicationEndpointTests : IAsyncLifetime
{
    private const string Secret = "endpoint-test-replication-secret";
    private static readonly CancellationToken Ct = CancellationToken.None;
    private static readonly ReplicaId Foreign = new(RegionId.Parse("Z"), 0x0000_0042);
    private TestCluster.TestCluster _cluster = null!;

    private TestSilo Receiver => _cluster["B"].Silo;

    public async Task InitializeAsync() =>
        _cluster = await TestCluster.TestCluster.StartAsync(new TestClusterOptions { Regions = ["B"], ReplicationSecret = Secret });

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    private async Task<HttpResponseMessage> PostAsync(string path, byte[] body, string? secret = Secret, long? timestamp = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, new Uri(Receiver.BaseAddress, path.TrimStart('/'))) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue(BatchCodec.ContentType);
        if (secret is not null)
        {
            var ts = timestamp ?? DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            request.Headers.Add(RequestSigner.TimestampHeader, ts.ToString(CultureInfo.InvariantCulture));
            request.Headers.Add(RequestSigner.SignatureHeader, new RequestSigner(secret).Sign("POST", path, ts, body));
        }

        using var http = new HttpClient();
        return await http.SendAsync(request);
    }

    private static ReplicationBatch ForeignBatch(long after = 0) => new(Foreign.ToString(), after, after + 1,
        [new KeyedBin(new RecordKey("n", "k"), new Bin(new Dot(Foreign, 1), "\"z\"", VersionVector.Empty, DateTimeOffset.UtcNow))]);

    private async Task AssertNothingAppliedAsync()
    {
        Assert.Empty(await Receiver.Store.ScanAsync(null, 10, Ct));
        Assert.Equal(0, await Receiver.Store.GetInboundPositionAsync(Foreign.ToString(), Ct));
    }

    [Fact]
    public async Task PostBatch_WithoutOrWithWrongCredentials_Returns401AndAppliesNothing()
    {
        var body = BatchCodec.Encode(ForeignBatch());

        using var unsigned = await PostAsync(ReplicationPaths.Batches, body, secret: null);
        using var wrong = await PostAsync(ReplicationPaths.Batches, body, secret: "some-other-replication-secret");
        using var stale = await PostAsync(ReplicationPaths.Batches, body, timestamp: DateTimeOffset.UtcNow.AddHours(-1).ToUnixTimeMilliseconds());
        using var resend = await PostAsync(ReplicationPaths.Resend, BatchCodec.Encode(new ResendBatch(Foreign.ToString(), ForeignBatch().Bins)), secret: null);

        Assert.Equal(HttpStatusCode.Unauthorized, unsigned.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, stale.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, resend.StatusCode);
        Assert.Contains("signature does not match", await wrong.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        await AssertNothingAppliedAsync();
    }

    [Fact]
    public async Task PostBatch_WhenMalformed_Returns400AndAppliesNothing()
    {
        var valid = BatchCodec.Encode(ForeignBatch());

        using var garbage = await PostAsync(ReplicationPaths.Batches, "not a batch"u8.ToArray());
        using var truncated = await PostAsync(ReplicationPaths.Batches, valid[..^3]);
        using var wrongKind = await PostAsync(ReplicationPaths.Resend, valid);

        Assert.Equal(HttpStatusCode.BadRequest, garbage.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, truncated.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, wrongKind.StatusCode);
        Assert.Contains("ends early", await truncated.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        await AssertNothingAppliedAsync();
    }

    [Fact]
    public async Task PostBatch_WhenItSkipsAhead_Returns409WithExpectedPositionAndAppliesNothing()
    {
        using var response = await PostAsync(ReplicationPaths.Batches, BatchCodec.Encode(ForeignBatch(after: 5)));

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Equal("0", response.Headers.GetValues(ReplicationPaths.ExpectedAfterHeader).Single());
        await AssertNothingAppliedAsync();

        using var inOrder = await PostAsync(ReplicationPaths.Batches, BatchCodec.Encode(ForeignBatch(after: 0)));
        Assert.Equal(HttpStatusCode.OK, inOrder.StatusCode);
        Assert.Equal(1, await Receiver.Store.GetInboundPositionAsync(Foreign.ToString(), Ct));
    }

    [Fact]
    public async Task PostResend_WithBinUnderReceiversOwnReplicaNeverIssued_Returns422AndAppliesNothing()
    {
        var own = Receiver.Store.Replica;
        var forged = new Bin(new Dot(own, 7), "\"forged\"", VersionVector.Empty, DateTimeOffset.UtcNow);
        var body = BatchCodec.Encode(new ResendBatch(Foreign.ToString(), [.. ForeignBatch().Bins, new KeyedBin(new RecordKey("n", "other"), forged)]));

        using var response = await PostAsync(ReplicationPaths.Resend, body);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.Contains(forged.Dot.ToString(), await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        await AssertNothingAppliedAsync();
    }

    [Fact]
    public async Task PostResend_OfReceiversOwnGenuineBins_IsAcceptedAndChangesNothing()
    {
        using var client = Receiver.Client();
        var first = await client.PutAsync("n", "k", "1", null);
        await client.PutAsync("n", "k", "2", first.Context);
        await client.PutAsync("n", "j", "3", null);
        var before = await Receiver.Store.ScanAsync(null, 10, Ct);
        var feed = await Receiver.Store.ReadChangesAsync(0, 10, Ct);
        var bins = feed.Select(e => new KeyedBin(e.Key, e.Bin)).ToList();

        using var response = await PostAsync(ReplicationPaths.Resend, BatchCodec.Encode(new ResendBatch(Foreign.ToString(), bins)));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("\"added\":0", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(before, await Receiver.Store.ScanAsync(null, 10, Ct));
        Assert.Equal(3, await Receiver.Store.GetLastSequenceAsync(Ct));
    }
}
