namespace OrleansCausal.Runtime.Options;

/// <summary>The silo's runtime settings, bound from the configuration root (<c>Region</c>, <c>Actors</c>,
/// <c>Limits</c>, <c>Idempotency</c>, <c>Namespaces</c>) and validated at start by <see cref="OrleansCausalOptionsValidator"/>.</summary>
public sealed class OrleansCausalOptions
{
    /// <summary>The region this silo serves (e.g. <c>eu-west</c>). Required.</summary>
    public string? Region { get; set; }

    public ActorOptions Actors { get; set; } = new();

    public LimitOptions Limits { get; set; } = new();

    public IdempotencyOptions Idempotency { get; set; } = new();

    /// <summary>Configured namespaces by name. The <c>default</c> namespace (resolver <c>lww</c>) always exists.</summary>
    public Dictionary<string, NamespaceOptions> Namespaces { get; } = new(StringComparer.Ordinal);

    /// <summary>When true, a namespace that is not configured is served with the default settings
    /// (configuration switch <c>Namespaces:Open=true</c>); when false (the default) it is refused with 404.</summary>
    public bool OpenNamespaces { get; set; }
}
