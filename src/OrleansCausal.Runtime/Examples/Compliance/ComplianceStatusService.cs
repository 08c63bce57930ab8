using OrleansCausal.Runtime.Client;

namespace OrleansCausal.Runtime.Examples.Compliance;

/// <summary>
/// The talk's compliance-status service, hosted in the silo and calling the record actors in process. A subject's
/// status only moves up: pending → completed → failed. Workers decide on a status they read and write with that
/// read's context; when two workers decide concurrently (or two regions do while cut off) the record holds both as
/// siblings and the namespace's monotonic resolver (<c>priority:status=failed&gt;completed&gt;pending</c>) shows the
/// highest — a failure is never hidden by a concurrent success, whatever the arrival order.
/// </summary>
public sealed class ComplianceStatusService(ICausalClient client, TimeProvider time)
{
    public const string Namespace = "compliance";
    public const string Resolver = "priority:status=failed>completed>pending";

    public async Task<ComplianceView> GetAsync(string subject, CausalContext? context = null, CancellationToken cancellationToken = default)
    {
        var value = await client.GetAsync<ComplianceStatus>(Namespace, subject, context, cancellationToken).ConfigureAwait(false);
        return ToView(subject, value);
    }

    /// <summary>Opens a check (pending) unless the subject already has a status.</summary>
    public async Task<ComplianceView> OpenAsync(string subject, CancellationToken cancellationToken = default)
    {
        var current = await GetAsync(subject, null, cancellationToken).ConfigureAwait(false);
        return current.Current is not null
            ? current
            : await WriteAsync(subject, ComplianceStatus.Pending, null, current.Context, cancellationToken).ConfigureAwait(false);
    }

    public Task<ComplianceView> CompleteAsync(string subject, CausalContext decidedOn, CancellationToken cancellationToken = default) =>
        AdvanceAsync(subject, ComplianceStatus.Completed, null, decidedOn, cancellationToken);

    public Task<ComplianceView> FailAsync(string subject, string reason, CausalContext decidedOn, CancellationToken cancellationToken = default) =>
        AdvanceAsync(subject, ComplianceStatus.Failed, reason, decidedOn, cancellationToken);

    /// <summary>
    /// Moves the subject to <paramref name="status"/> as decided on the state read with <paramref name="decidedOn"/>.
    /// The write carries that context, so it supersedes exactly what the decision saw; a status the decision did not
    /// see stays as a sibling. A move down (e.g. failed → completed) is refused: the current view is returned unchanged.
    /// </summary>
    public async Task<ComplianceView> AdvanceAsync(string subject, string status, string? reason, CausalContext decidedOn, CancellationToken cancellationToken = default)
    {
        if (ComplianceStatus.Rank(status) == 0)
        {
            throw new ArgumentException($"Unknown compliance status '{status}'.", nameof(status));
        }

        var seen = await GetAsync(subject, decidedOn, cancellationToken).ConfigureAwait(false);
        if (seen.Current is not null && ComplianceStatus.Rank(seen.Current.Status) >= ComplianceStatus.Rank(status))
        {
            return seen;
        }

        return await WriteAsync(subject, status, reason, decidedOn, cancellationToken).ConfigureAwait(false);
    }

    private async Task<ComplianceView> WriteAsync(string subject, string status, string? reason, CausalContext context, CancellationToken cancellationToken)
    {
        var value = new ComplianceStatus(status, reason, time.GetUtcNow());
        var written = await client.PutAsync(Namespace, subject, value, context, cancellationToken).ConfigureAwait(false);
        return ToView(subject, written);
    }

    private static ComplianceView ToView(string subject, CausalValue<ComplianceStatus> value) =>
        new(subject, value.Value, value.Siblings.Select(s => s.Value!).ToArray(), value.Context);
}
