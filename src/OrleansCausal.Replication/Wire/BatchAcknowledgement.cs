namespace OrleansCausal.Replication.Wire;

/// <summary>The JSON body of a 200 answer: how many bins were new, and how far the source is now applied (0 for a resend).</summary>
public sealed record BatchAcknowledgement(int Added, long AppliedThrough);
