using OrleansCausal.Replication.Wire;

namespace OrleansCausal.Replication.Tests.Wire;

public sealed class RequestSignerTests
{
    private const string Secret = "a-shared-replication-secret";
    private static readonly DateTimeOffset Now = DateTimeOffset.FromUnixTimeMilliseconds(1_800_000_000_000);
    private static readonly TimeSpan Skew = TimeSpan.FromMinutes(5);
    private static readonly byte[] Body = [1, 2, 3, 4];

    [Fact]
    public void Verify_WhenSignedWithSameSecret_Accepts()
    {
        var signer = new RequestSigner(Secret);
        var ts = Now.ToUnixTimeMilliseconds();
        var signature = signer.Sign("POST", "/v1/replication/batches", ts, Body);

        Assert.Null(signer.Verify("POST", "/v1/replication/batches", ts.ToString(), signature, Body, Now, Skew));
    }

    [Fact]
    public void Verify_WhenAnythingSignedDiffers_Refuses()
    {
        var signer = new RequestSigner(Secret);
        var ts = Now.ToUnixTimeMilliseconds();
        var signature = signer.Sign("POST", "/v1/replication/batches", ts, Body);

        Assert.NotNull(signer.Verify("POST", "/v1/replication/batches", ts.ToString(), signature, [1, 2, 3, 5], Now, Skew));
        Assert.NotNull(signer.Verify("POST", "/v1/replication/resend", ts.ToString(), signature, Body, Now, Skew));
        Assert.NotNull(signer.Verify("POST", "/v1/replication/batches", (ts + 1).ToString(), signature, Body, Now, Skew));
        Assert.NotNull(new RequestSigner("another-secret-of-length").Verify("POST", "/v1/replication/batches", ts.ToString(), signature, Body, Now, Skew));
    }

    [Fact]
    public void Verify_WhenCredentialsMissingOrStale_RefusesWithReason()
    {
        var signer = new RequestSigner(Secret);
        var stale = Now - TimeSpan.FromMinutes(6);
        var signature = signer.Sign("POST", "/p", stale.ToUnixTimeMilliseconds(), Body);

        Assert.Contains("no replication credentials", signer.Verify("POST", "/p", null, null, Body, Now, Skew));
        Assert.Contains("away from this silo's clock", signer.Verify("POST", "/p", stale.ToUnixTimeMilliseconds().ToString(), signature, Body, Now, Skew));
        Assert.Contains("not a Unix time", signer.Verify("POST", "/p", "yesterday", signature, Body, Now, Skew));
    }
}
