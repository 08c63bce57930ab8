using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;
using OrleansCausal.Core;
using OrleansCausal.Core.Resolvers;

namespace OrleansCausal.Runtime.Options;

/// <summary>Checks the runtime settings at start and names every problem with the configuration key to fix.</summary>
internal sealed class OrleansCausalOptionsValidator(ResolverRegistry resolvers) : IValidateOptions<OrleansCausalOptions>
{
    public ValidateOptionsResult Validate(string? name, OrleansCausalOptions options)
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(options.Region))
        {
            errors.Add($"{nameof(OrleansCausalOptions.Region)} is required: set it to this silo's region (e.g. --Region eu-west).");
        }
        else if (!RegionId.IsValid(options.Region))
        {
            errors.Add($"{nameof(OrleansCausalOptions.Region)} '{options.Region}' is not valid: use 1-{RegionId.MaxLength} characters from A-Z, a-z, 0-9, '-' and '_'.");
        }

        if (options.Actors.IdleTimeout <= TimeSpan.Zero)
        {
            errors.Add($"Actors:{nameof(ActorOptions.IdleTimeout)} must be positive (it is {options.Actors.IdleTimeout}).");
        }

        if (options.Actors.MaxCacheAge < TimeSpan.Zero)
        {
            errors.Add($"Actors:{nameof(ActorOptions.MaxCacheAge)} must not be negative (it is {options.Actors.MaxCacheAge}).");
        }

        if (options.Actors.ShedAtMemoryPercent is not 0 and (<= ActorOptions.SheddingMargin or > 100))
        {
            errors.Add($"Actors:{nameof(ActorOptions.ShedAtMemoryPercent)} must be 0 (off) or {ActorOptions.SheddingMargin + 1}-100 (it is {options.Actors.ShedAtMemoryPercent}).");
        }

        var limits = options.Limits;
        Positive(errors, nameof(LimitOptions.MaxKeyLength), limits.MaxKeyLength);
        Positive(errors, nameof(LimitOptions.MaxValueBytes), limits.MaxValueBytes);
        Positive(errors, nameof(LimitOptions.MaxJsonDepth), limits.MaxJsonDepth);
        if (limits.MaxJsonDepth > 256)
        {
            errors.Add($"Limits:{nameof(LimitOptions.MaxJsonDepth)} must be at most 256 (it is {limits.MaxJsonDepth}).");
        }

        CheckSiblingCap(errors, $"Limits:{nameof(LimitOptions.MaxSiblings)}", limits.MaxSiblings);
        errors.AddRange(options.Idempotency.Problems());

        Regex? pattern = null;
        try
        {
            pattern = new Regex(limits.NamespacePattern, RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
        }
        catch (ArgumentException e)
        {
            errors.Add($"Limits:{nameof(LimitOptions.NamespacePattern)} '{limits.NamespacePattern}' is not a valid regular expression: {e.Message}");
        }

        if (pattern is not null && !pattern.IsMatch(Namespaces.NamespaceCatalog.DefaultNamespace))
        {
            errors.Add($"Limits:{nameof(LimitOptions.NamespacePattern)} '{limits.NamespacePattern}' must accept the 'default' namespace.");
        }

        foreach (var (nsName, ns) in options.Namespaces)
        {
            if (pattern is not null && !pattern.IsMatch(nsName))
            {
                errors.Add($"Namespaces:{nsName}: the name does not match Limits:NamespacePattern '{limits.NamespacePattern}'.");
            }

            try
            {
                resolvers.Create(ns.Resolver);
            }
            catch (FormatException e)
            {
                errors.Add($"Namespaces:{nsName}:Resolver: {e.Message}");
            }

            if (ns.MaxSiblings is { } cap)
            {
                CheckSiblingCap(errors, $"Namespaces:{nsName}:MaxSiblings", cap);
            }
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private static void Positive(List<string> errors, string key, int value)
    {
        if (value < 1)
        {
            errors.Add($"Limits:{key} must be at least 1 (it is {value}).");
        }
    }

    private static void CheckSiblingCap(List<string> errors, string key, int value)
    {
        if (value < 1 || value > LimitOptions.AbsoluteMaxSiblings)
        {
            errors.Add($"{key} must be between 1 and {LimitOptions.AbsoluteMaxSiblings} (it is {value}).");
        }
    }
}
