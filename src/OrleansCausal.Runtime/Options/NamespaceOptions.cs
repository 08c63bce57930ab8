namespace OrleansCausal.Runtime.Options;

/// <summary>One namespace's settings (<c>Namespaces:{name}:*</c>).</summary>
public sealed class NamespaceOptions
{
    /// <summary><c>lww</c> (default), <c>priority:a&gt;b&gt;c</c>, <c>priority:field=a&gt;b&gt;c</c>, or a resolver registered in code.</summary>
    public string? Resolver { get; set; }

    /// <summary>The sibling cap; defaults to <c>Limits:MaxSiblings</c>.</summary>
    public int? MaxSiblings { get; set; }
}
