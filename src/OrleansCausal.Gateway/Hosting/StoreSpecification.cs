namespace OrleansCausal.Gateway.Hosting;

/// <summary>The parsed <c>Store</c> setting: <c>sqlite:PATH</c> (default <c>sqlite:./data/{Region}.db</c>),
/// <c>postgres:CONNECTION-STRING</c>, or <c>memory:</c> (volatile, for demos and tests). <c>{Region}</c> is replaced
/// by the region.</summary>
public sealed record StoreSpecification(string Kind, string Target)
{
    public const string Sqlite = "sqlite";
    public const string Postgres = "postgres";
    public const string Memory = "memory";
    public const string DefaultTemplate = "sqlite:./data/{Region}.db";

    public static StoreSpecification Parse(string? setting, string region)
    {
        var text = (string.IsNullOrWhiteSpace(setting) ? DefaultTemplate : setting.Trim()).Replace("{Region}", region, StringComparison.Ordinal);
        var colon = text.IndexOf(':');
        if (colon <= 0)
        {
            throw new InvalidOperationException($"Store '{Redact(text)}' is not valid: use 'sqlite:PATH', 'postgres:CONNECTION-STRING' or 'memory:'.");
        }

        var kind = text[..colon].ToLowerInvariant();
        var target = text[(colon + 1)..].Trim();
        switch (kind)
        {
            case Sqlite when target.Length == 0:
                throw new InvalidOperationException("Store 'sqlite:' needs a file path, e.g. 'sqlite:./data/eu-west.db'.");
            case Postgres when target.Length == 0:
                throw new InvalidOperationException("Store 'postgres:' needs a connection string, e.g. 'postgres:Host=127.0.0.1;Database=oc;Username=oc'.");
            case Sqlite:
                return new StoreSpecification(kind, Path.GetFullPath(target));
            case Postgres:
            case Memory:
                return new StoreSpecification(kind, target);
            default:
                throw new InvalidOperationException($"Store kind '{kind}' is not known: use 'sqlite:PATH', 'postgres:CONNECTION-STRING' or 'memory:'.");
        }
    }

    /// <summary>The spec with any password removed, safe to log.</summary>
    public override string ToString() => Kind == Postgres ? $"{Kind}:{Redact(Target)}" : $"{Kind}:{Target}";

    private static string Redact(string text) =>
        System.Text.RegularExpressions.Regex.Replace(text, "(?i)(password|pwd)=[^;]*", "$1=***");
}
