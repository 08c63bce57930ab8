using OrleansCausal.Runtime.Client;

namespace OrleansCausal.Examples.Compliance;

/// <summary>The compliance-status grain over the typed in-process API (<see cref="ICausalClient"/>).</summary>
public sealed class ComplianceStatusGrain(ICausalClient records, TimeProvider time) : Grain, IComplianceStatusGrain
{
    public const string Namespace = "compliance";
    public const string Resolver = "priority:status=failed>completed>pending";

    /// <summary>The writer name every status this grain writes carries.</summary>
    public const string Writer = "compliance-status-grain";

    private readonly ICausalClient _client = records.As(Writer);

    private string Subject => this.GetPrimaryKeyString();

    public async Task<ComplianceView> GetAsync(CausalContext? context = null) =>
        ToView(await _client.GetAsync<ComplianceStatus>(Namespace, Subject, context));

    public async Task<ComplianceView> OpenAsync()
    {
        var current = await GetAsync();
        return current.Current is not null ? current : await WriteAsync(ComplianceStatus.Pending, null, current.Context);
    }

    public async Task<ComplianceView> AdvanceAsync(string status, string? reason, CausalContext decidedOn)
    {
        if (ComplianceStatus.Rank(status) == 0)
        {
            throw new ArgumentException($"Unknown compliance status '{status}'.", nameof(status));
        }

        var seen = await GetAsync(decidedOn);
        if (seen.Current is not null && ComplianceStatus.Rank(seen.Current.Status) >= ComplianceStatus.Rank(status))
        {
            return seen;
        }

        return await WriteAsync(status, reason, decidedOn);
    }

    private async Task<ComplianceView> WriteAsync(string status, string? reason, CausalContext context) =>
        ToView(await _client.PutAsync(Namespace, Subject, new ComplianceStatus(status, reason, time.GetUtcNow()), context));

    private ComplianceView ToView(CausalValue<ComplianceStatus> value) =>
        new(Subject, value.Value, value.Siblings.Select(s => s.Value!).ToArray(), value.Context);
}
