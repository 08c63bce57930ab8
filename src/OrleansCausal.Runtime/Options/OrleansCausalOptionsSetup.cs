using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace OrleansCausal.Runtime.Options;

/// <summary>
/// Binds <see cref="OrleansCausalOptions"/> from the configuration root. <c>Namespaces</c> is read by hand: a child
/// with settings is a namespace, and the scalar <c>Namespaces:Open</c> is the open-namespaces switch.
/// </summary>
internal sealed class OrleansCausalOptionsSetup(IConfiguration configuration) : IConfigureOptions<OrleansCausalOptions>
{
    public const string OpenSwitch = "Open";

    public void Configure(OrleansCausalOptions options)
    {
        options.Region = configuration["Region"] ?? options.Region;
        configuration.GetSection("Actors").Bind(options.Actors);
        configuration.GetSection("Limits").Bind(options.Limits);
        configuration.GetSection("Idempotency").Bind(options.Idempotency);
        foreach (var child in configuration.GetSection("Namespaces").GetChildren())
        {
            if (child.Value is not null && !child.GetChildren().Any())
            {
                if (string.Equals(child.Key, OpenSwitch, StringComparison.OrdinalIgnoreCase))
                {
                    options.OpenNamespaces = bool.TryParse(child.Value, out var open)
                        ? open
                        : throw new OptionsValidationException(
                            "Namespaces:Open", typeof(OrleansCausalOptions), [$"Namespaces:Open must be 'true' or 'false', not '{child.Value}'."]);
                }

                continue;
            }

            var settings = options.Namespaces.TryGetValue(child.Key, out var existing) ? existing : new NamespaceOptions();
            child.Bind(settings);
            options.Namespaces[child.Key] = settings;
        }
    }
}
