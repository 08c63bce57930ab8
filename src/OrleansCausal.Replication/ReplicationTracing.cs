using System.Diagnostics;
using OrleansCausal.Replication.Outbound;
using OrleansCausal.Runtime.Diagnostics;

namespace OrleansCausal.Replication;

/// <summary>
/// Replication spans on the <c>OrleansCausal</c> source: <c>replication.send</c> on the sender (one per batch or
/// resend chunk, a root span since shipping runs in the background; its HTTP request is a child and carries the W3C
/// <c>traceparent</c>) and <c>replication.apply</c> on the receiver, under the request span that continues the
/// sender's trace.
/// </summary>
internal static class ReplicationTracing
{
    public static Activity? StartSend(string peer, string path, int bins)
    {
        var activity = CausalTracing.Source.StartActivity("replication.send", ActivityKind.Producer);
        activity?.SetTag("orleans_causal.peer", peer);
        activity?.SetTag("orleans_causal.replication.path", path);
        activity?.SetTag("orleans_causal.replication.bins", bins);
        return activity;
    }

    public static void SetOutcome(Activity? activity, ShipOutcome outcome)
    {
        if (activity is null)
        {
            return;
        }

        activity.SetTag("orleans_causal.replication.outcome", outcome.GetType().Name);
        if (outcome is ShipOutcome.Failed or ShipOutcome.Refused)
        {
            activity.SetStatus(ActivityStatusCode.Error, outcome.ToString());
        }
    }

    public static Activity? StartApply(string source, int bins)
    {
        var activity = CausalTracing.Source.StartActivity("replication.apply", ActivityKind.Consumer);
        activity?.SetTag("orleans_causal.source", source);
        activity?.SetTag("orleans_causal.replication.bins", bins);
        return activity;
    }
}
