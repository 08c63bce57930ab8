namespace OrleansCausal.Core.Resolvers;

/// <summary>
/// Turns resolver specifications into resolvers. Built in: <c>lww</c>; <c>priority:a&gt;b&gt;c</c> (ranks the JSON
/// string value); <c>priority:field=a&gt;b&gt;c</c> (ranks a top-level JSON field). Custom resolvers are registered
/// in code under a name and then configured by that name.
/// </summary>
public sealed class ResolverRegistry
{
    private readonly Dictionary<string, IValueResolver> _custom = new(StringComparer.OrdinalIgnoreCase);

    public void Register(IValueResolver resolver)
    {
        ArgumentNullException.ThrowIfNull(resolver);
        if (string.Equals(resolver.Name, "lww", StringComparison.OrdinalIgnoreCase) ||
            string.Equals(resolver.Name, "priority", StringComparison.OrdinalIgnoreCase))
        {
            throw new ArgumentException($"'{resolver.Name}' is a built-in resolver name.", nameof(resolver));
        }

        if (!_custom.TryAdd(resolver.Name, resolver))
        {
            throw new ArgumentException($"A resolver named '{resolver.Name}' is already registered.", nameof(resolver));
        }
    }

    /// <summary>Creates the resolver a specification names; throws <see cref="FormatException"/> with the reason.</summary>
    public IValueResolver Create(string? specification)
    {
        var spec = specification?.Trim();
        if (string.IsNullOrEmpty(spec) || string.Equals(spec, "lww", StringComparison.OrdinalIgnoreCase))
        {
            return LwwResolver.Instance;
        }

        const string priorityPrefix = "priority:";
        if (spec.StartsWith(priorityPrefix, StringComparison.OrdinalIgnoreCase))
        {
            return ParsePriority(spec[priorityPrefix.Length..]);
        }

        if (_custom.TryGetValue(spec, out var custom))
        {
            return custom;
        }

        throw new FormatException(
            $"Unknown resolver '{spec}'. Use 'lww', 'priority:a>b>c', 'priority:field=a>b>c' or the name of a registered resolver.");
    }

    private static PriorityResolver ParsePriority(string body)
    {
        string? field = null;
        var equals = body.IndexOf('=');
        if (equals >= 0)
        {
            field = body[..equals].Trim();
            body = body[(equals + 1)..];
            if (field.Length == 0)
            {
                throw new FormatException("A priority resolver's field name is empty ('priority:field=a>b').");
            }
        }

        var values = body.Split('>', StringSplitOptions.TrimEntries);
        if (values.Length == 0 || values.Any(v => v.Length == 0))
        {
            throw new FormatException($"The priority list '{body}' has an empty value; write it as 'a>b>c', highest first.");
        }

        if (values.Distinct(StringComparer.Ordinal).Count() != values.Length)
        {
            throw new FormatException($"The priority list '{body}' names a value twice.");
        }

        return new PriorityResolver(values, field);
    }
}
