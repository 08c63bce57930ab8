using OrleansCausal.Core.Resolvers;

namespace OrleansCausal.Runtime.Namespaces;

/// <summary>The effective settings of one namespace: its resolver and sibling cap.</summary>
public sealed record NamespaceSettings(string Name, IValueResolver Resolver, string ResolverSpecification, int MaxSiblings);
