using OrleansCausal.Runtime.Client;

namespace OrleansCausal.Runtime.Examples.Compliance;

/// <summary>A subject's compliance status as the resolver shows it, every concurrent status, and the context to
/// carry to the next decision about this subject.</summary>
public sealed record ComplianceView(string Subject, ComplianceStatus? Current, IReadOnlyList<ComplianceStatus> Concurrent, CausalContext Context);
