using OrleansCausal.Runtime.Diagnostics;

namespace OrleansCausal.Gateway.Contracts;

/// <summary>The body of <c>GET /v1/diagnostics/siblings</c>: this silo's writes only (<paramref name="Silo"/>), since it
/// started; each namespace keeps its <paramref name="TopKeys"/> keys with the most live siblings after their last write.</summary>
public sealed record SiblingDiagnosticsResponse(string Region, string Silo, int TopKeys, IReadOnlyList<NamespaceSiblings> Namespaces);
