using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;
using OrleansCausal.Core.Resolvers;
using OrleansCausal.Runtime.Options;
using OrleansCausal.Runtime.Records;

namespace OrleansCausal.Runtime.Namespaces;

/// <summary>
/// Knows every namespace the silo serves: the configured ones, the always-present <c>default</c> (resolver
/// <c>lww</c>), and — only when <c>Namespaces:Open=true</c> — any other valid name with the default settings.
/// </summary>
public sealed class NamespaceCatalog
{
    public const string DefaultNamespace = "default";

    private readonly Dictionary<string, NamespaceSettings> _configured = new(StringComparer.Ordinal);
    private readonly Regex _pattern;
    private readonly bool _open;
    private readonly int _defaultCap;
    private readonly string _patternText;

    public NamespaceCatalog(IOptions<OrleansCausalOptions> options, ResolverRegistry resolvers)
    {
        var value = options.Value;
        _patternText = value.Limits.NamespacePattern;
        _pattern = new Regex(_patternText, RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
        _open = value.OpenNamespaces;
        _defaultCap = value.Limits.MaxSiblings;
        _configured[DefaultNamespace] = new NamespaceSettings(DefaultNamespace, LwwResolver.Instance, "lww", _defaultCap);
        foreach (var (name, ns) in value.Namespaces)
        {
            var spec = string.IsNullOrWhiteSpace(ns.Resolver) ? "lww" : ns.Resolver.Trim();
            _configured[name] = new NamespaceSettings(name, resolvers.Create(spec), spec, ns.MaxSiblings ?? _defaultCap);
        }
    }

    public bool IsOpen => _open;

    public IReadOnlyCollection<NamespaceSettings> Configured => _configured.Values;

    /// <summary>The settings of <paramref name="name"/>; throws <see cref="RecordRequestException"/> when the name is
    /// invalid (400) or not served (404).</summary>
    public NamespaceSettings Get(string name)
    {
        if (_configured.TryGetValue(name, out var settings))
        {
            return settings;
        }

        if (!_pattern.IsMatch(name))
        {
            throw new RecordRequestException(
                RecordError.InvalidNamespace,
                $"The namespace name '{Truncate(name)}' is not valid: it must match {_patternText}.");
        }

        if (!_open)
        {
            throw new RecordRequestException(
                RecordError.UnknownNamespace,
                $"The namespace '{name}' is not configured on this silo. Configure Namespaces:{name}:Resolver, or set Namespaces:Open=true to serve any namespace with the default settings.");
        }

        return new NamespaceSettings(name, LwwResolver.Instance, "lww", _defaultCap);
    }

    private static string Truncate(string text) => text.Length <= 80 ? text : text[..80] + "…";
}
