using OrleansCausal.Runtime.Client;

namespace OrleansCausal.Examples.Compliance;

/// <summary>A subject's compliance status as the resolver shows it, every concurrent status, and the context to
/// carry to the next decision about this subject.</summary>
[GenerateSerializer, Immutable]
public sealed record ComplianceView(
    [property: Id(0)] string Subject,
    [property: Id(1)] ComplianceStatus? Current,
    [property: Id(2)] IReadOnlyList<ComplianceStatus> Concurrent,
    [property: Id(3)] CausalContext Context);
