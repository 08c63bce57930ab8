using Microsoft.Extensions.Options;

namespace OrleansCausal.Replication.Collection;

/// <summary>Checks <see cref="StorageOptions"/> at start; messages name the setting.</summary>
public sealed class StorageOptionsValidator : IValidateOptions<StorageOptions>
{
    public ValidateOptionsResult Validate(string? name, StorageOptions options)
    {
        var problems = new List<string>();
        var prefix = StorageOptions.SectionName + ":";
        if (options.GcInterval <= TimeSpan.Zero || options.GcInterval > TimeSpan.FromDays(1))
        {
            problems.Add($"'{prefix}{nameof(options.GcInterval)}' must be above zero and at most a day (got {options.GcInterval}).");
        }

        if (options.FeedRetention < 0)
        {
            problems.Add($"'{prefix}{nameof(options.FeedRetention)}' must not be negative (got {options.FeedRetention}).");
        }

        if (options.MaxPurgePerRound <= 0)
        {
            problems.Add($"'{prefix}{nameof(options.MaxPurgePerRound)}' must be positive (got {options.MaxPurgePerRound}).");
        }

        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}
