using OrleansCausal.Runtime.Client;

namespace OrleansCausal.Examples.Compliance;

/// <summary>
/// The talk's compliance-status service as a grain, one per subject, hosted in the silo beside the record grains it
/// calls in-process. Statuses only move up (pending &lt; completed &lt; failed); concurrent decisions stay side by
/// side as siblings and the namespace's priority resolver shows the highest.
/// </summary>
public interface IComplianceStatusGrain : IGrainWithStringKey
{
    /// <summary>The current status; with <paramref name="context"/>, at least as new as that context.</summary>
    Task<ComplianceView> GetAsync(CausalContext? context = null);

    /// <summary>Opens the check as pending unless the subject already has a status.</summary>
    Task<ComplianceView> OpenAsync();

    /// <summary>Moves to <paramref name="status"/>, decided on what <paramref name="decidedOn"/> saw. A move down
    /// (e.g. completed after failed) writes nothing and returns the current view.</summary>
    Task<ComplianceView> AdvanceAsync(string status, string? reason, CausalContext decidedOn);
}
