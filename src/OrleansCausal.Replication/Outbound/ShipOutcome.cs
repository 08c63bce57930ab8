namespace OrleansCausal.Replication.Outbound;

/// <summary>How a peer answered one shipped request.</summary>
public abstract record ShipOutcome
{
    private ShipOutcome()
    {
    }

    /// <summary>The peer applied the request; <paramref name="Answer"/> is its acknowledgement when it could be read.</summary>
    public sealed record Acknowledged(Wire.BatchAcknowledgement? Answer = null) : ShipOutcome;

    /// <summary>The peer has applied our feed only through <paramref name="ExpectedAfter"/>; continue from there.</summary>
    public sealed record Gap(long ExpectedAfter) : ShipOutcome;

    /// <summary>The peer refused the request as such (4xx); resending it unchanged will not help.</summary>
    public sealed record Refused(int StatusCode, string Detail) : ShipOutcome;

    /// <summary>No peer endpoint answered usefully (network error, timeout, 5xx, 401); retry later.</summary>
    public sealed record Failed(string Detail) : ShipOutcome;
}
