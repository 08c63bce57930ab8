using Microsoft.Extensions.Options;
using OrleansCausal.Core;

namespace OrleansCausal.Runtime.GrainStorage;

internal sealed class DottedBinsGrainStorageOptionsValidator : IValidateOptions<DottedBinsGrainStorageOptions>
{
    public ValidateOptionsResult Validate(string? name, DottedBinsGrainStorageOptions options)
    {
        if (options.Region is { } region && !RegionId.TryParse(region, out _))
        {
            return ValidateOptionsResult.Fail(
                $"Grain storage '{name}': {nameof(options.Region)} '{region}' is not a region id (1-{RegionId.MaxLength} characters from A-Z, a-z, 0-9, '-' and '_').");
        }

        return ValidateOptionsResult.Success;
    }
}
