namespace OrleansCausal.Replication.Hosting;

/// <summary>Checks <see cref="ReplicationOptions"/>; messages name the setting (never its secret value).</summary>
public static class ReplicationOptionsValidator
{
    public const int MinSecretLength = 16;

    public static List<string> Validate(ReplicationOptions options)
    {
        var problems = new List<string>();
        var prefix = ReplicationOptions.SectionName + ":";
        if (options.Secret is { Length: > 0 and < MinSecretLength })
        {
            problems.Add($"'{prefix}{nameof(options.Secret)}' must be at least {MinSecretLength} characters.");
        }

        Positive(problems, prefix + nameof(options.BatchSize), options.BatchSize);
        Positive(problems, prefix + nameof(options.CatchUpBatchSize), options.CatchUpBatchSize);
        Positive(problems, prefix + nameof(options.ResendBatchSize), options.ResendBatchSize);
        Positive(problems, prefix + nameof(options.MaxBatchesInFlight), options.MaxBatchesInFlight);
        if (options.ReorderWait < TimeSpan.Zero)
        {
            problems.Add($"'{prefix}{nameof(options.ReorderWait)}' must not be negative (got {options.ReorderWait}).");
        }

        Positive(problems, prefix + nameof(options.MaxBodyBytes), options.MaxBodyBytes);
        Positive(problems, prefix + nameof(options.RequestTimeout), options.RequestTimeout);
        Positive(problems, prefix + nameof(options.InitialBackoff), options.InitialBackoff);
        Positive(problems, prefix + nameof(options.IdlePollInterval), options.IdlePollInterval);
        Positive(problems, prefix + nameof(options.ShipperKeepAliveInterval), options.ShipperKeepAliveInterval);
        Positive(problems, prefix + nameof(options.HeartbeatInterval), options.HeartbeatInterval);
        Positive(problems, prefix + nameof(options.MaxClockSkew), options.MaxClockSkew);
        if (options.MaxBackoff < options.InitialBackoff)
        {
            problems.Add($"'{prefix}{nameof(options.MaxBackoff)}' must not be below '{prefix}{nameof(options.InitialBackoff)}'.");
        }

        return problems;
    }

    private static void Positive(List<string> problems, string name, int value)
    {
        if (value <= 0)
        {
            problems.Add($"'{name}' must be positive (got {value}).");
        }
    }

    private static void Positive(List<string> problems, string name, TimeSpan value)
    {
        if (value <= TimeSpan.Zero)
        {
            problems.Add($"'{name}' must be positive (got {value}).");
        }
    }
}
