using Microsoft.Extensions.Configuration;
using OrleansCausal.Core;
using OrleansCausal.Core.Tokens;
using OrleansCausal.Gateway.Auth;

namespace OrleansCausal.Gateway.Hosting;

/// <summary>Reads and checks the silo-level settings; every refusal names the setting to fix.</summary>
internal static class SiloSettingsReader
{
    public const string DefaultUrl = "http://127.0.0.1:5080";
    public const string DefaultRegion = "local";

    public static SiloSettings Read(IConfiguration configuration)
    {
        var regionText = configuration["Region"];
        var defaulted = false;
        if (string.IsNullOrWhiteSpace(regionText))
        {
            if (configuration.GetSection("Peers").GetChildren().Any())
            {
                throw new InvalidOperationException("Region is required when Peers are configured: set it to this silo's region (e.g. --Region eu-west).");
            }

            regionText = DefaultRegion;
            defaulted = true;
        }

        if (!RegionId.TryParse(regionText.Trim(), out var region))
        {
            throw new InvalidOperationException(
                $"Region '{regionText}' is not valid: use 1-{RegionId.MaxLength} characters from A-Z, a-z, 0-9, '-' and '_'.");
        }

        var store = StoreSpecification.Parse(configuration["Store"], region.Value);

        var signingKey = configuration["Context:SigningKey"];
        if (signingKey is not null && signingKey.Length < ContextTokenCodec.MinimumKeyLength)
        {
            throw new InvalidOperationException(
                $"Context:SigningKey must be at least {ContextTokenCodec.MinimumKeyLength} characters long (it is {signingKey.Length}); use the same key in every region.");
        }

        var apiKeys = ReadApiKeys(configuration.GetSection("Auth:ApiKeys"));
        var urls = ReadUrls(configuration);
        return new SiloSettings(region, defaulted, store, string.IsNullOrEmpty(signingKey) ? null : signingKey, apiKeys, urls);
    }

    /// <summary>Named keys: <c>Auth:ApiKeys:{name}</c> = key. The list form (<c>Auth:ApiKeys:0</c>, or one
    /// comma-separated <c>Auth:ApiKeys</c>) still works; such a key is named <c>key-{index}</c>.</summary>
    private static ApiKey[] ReadApiKeys(IConfigurationSection section)
    {
        var keys = new List<ApiKey>();
        if (!string.IsNullOrWhiteSpace(section.Value))
        {
            var listed = section.Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            keys.AddRange(listed.Select((key, i) => new ApiKey($"key-{i}", key)));
        }

        foreach (var child in section.GetChildren())
        {
            if (string.IsNullOrWhiteSpace(child.Value))
            {
                continue;
            }

            var name = int.TryParse(child.Key, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var index)
                ? $"key-{index}"
                : child.Key;
            keys.Add(new ApiKey(name, child.Value.Trim()));
        }

        if (keys.FirstOrDefault(k => k.Secret.Length < 16) is { } shortKey)
        {
            throw new InvalidOperationException($"Every key under Auth:ApiKeys must be at least 16 characters long ('{shortKey.Name}' is not).");
        }

        if (keys.GroupBy(k => k.Name, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1) is { } duplicate)
        {
            throw new InvalidOperationException($"Auth:ApiKeys names '{duplicate.Key}' twice; give every key its own name.");
        }

        return keys.ToArray();
    }

    private static string[] ReadUrls(IConfiguration configuration)
    {
        var urls = (configuration["Urls"] ?? string.Empty)
            .Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .ToList();
        foreach (var endpoint in configuration.GetSection("Kestrel:Endpoints").GetChildren())
        {
            if (endpoint["Url"] is { Length: > 0 } url)
            {
                urls.Add(url);
            }
        }

        return urls.Count == 0 ? [DefaultUrl] : urls.ToArray();
    }
}
