namespace OrleansCausal.Replication.Wire;

/// <summary>The replication HTTP paths and headers, shared by the sending and the receiving side.</summary>
public static class ReplicationPaths
{
    public const string Batches = "/v1/replication/batches";
    public const string Resend = "/v1/replication/resend";

    /// <summary>On a 409 answer: the feed sequence the receiver has applied the source through.</summary>
    public const string ExpectedAfterHeader = "Replication-Expected-After";

    public static string AdminResend(string region) => $"/v1/replication/peers/{region}/resend";
}
