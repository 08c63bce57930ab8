namespace OrleansCausal.Runtime.Options;

/// <summary>Input limits (<c>Limits:*</c>); every violation is a clear 4xx and nothing is written.</summary>
public sealed class LimitOptions
{
    public const int AbsoluteMaxSiblings = 1024;

    /// <summary>Longest key, in UTF-8 bytes.</summary>
    public int MaxKeyLength { get; set; } = 512;

    /// <summary>Namespace names must match this pattern.</summary>
    public string NamespacePattern { get; set; } = "^[a-z0-9][a-z0-9._-]{0,63}$";

    /// <summary>Largest value, in UTF-8 bytes of its JSON text.</summary>
    public int MaxValueBytes { get; set; } = 64 * 1024;

    /// <summary>Deepest nesting of JSON objects and arrays in a value.</summary>
    public int MaxJsonDepth { get; set; } = 32;

    /// <summary>The sibling cap of a namespace that does not set its own <c>MaxSiblings</c>.</summary>
    public int MaxSiblings { get; set; } = 32;
}
