namespace OrleansCausal.Examples.Compliance;

/// <summary>The stored value of a subject's compliance check: <c>{"status":"pending|completed|failed", "reason":…, "changedAt":…}</c>.</summary>
[GenerateSerializer, Immutable]
public sealed record ComplianceStatus([property: Id(0)] string Status, [property: Id(1)] string? Reason, [property: Id(2)] DateTimeOffset ChangedAt)
{
    public const string Pending = "pending";
    public const string Completed = "completed";
    public const string Failed = "failed";

    /// <summary>The rank of a status: failed (3) &gt; completed (2) &gt; pending (1); unknown is 0.</summary>
    public static int Rank(string? status) => status switch
    {
        Failed => 3,
        Completed => 2,
        Pending => 1,
        _ => 0,
    };
}
