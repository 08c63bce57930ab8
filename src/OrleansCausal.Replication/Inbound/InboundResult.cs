namespace OrleansCausal.Replication.Inbound;

/// <summary>What the receiver did with a batch; each case maps to one HTTP status.</summary>
public abstract record InboundResult
{
    private InboundResult()
    {
    }

    /// <summary>Merged (200): <paramref name="Added"/> bins were new; the source is applied through <paramref name="AppliedThrough"/>.</summary>
    public sealed record Applied(int Added, long AppliedThrough) : InboundResult;

    /// <summary>The batch would skip sequences not yet applied (409); the sender must continue after <paramref name="ExpectedAfter"/>.</summary>
    public sealed record Gap(long ExpectedAfter, long After) : InboundResult;

    /// <summary>The batch holds a bin under this store's own replica that it never issued (422); nothing applied.</summary>
    public sealed record Forged(string Message) : InboundResult;

    /// <summary>The batch is well formed but not acceptable here (400); nothing applied.</summary>
    public sealed record Invalid(string Message) : InboundResult;
}
