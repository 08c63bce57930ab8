using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;
using Npgsql;
using OrleansCausal.Core;

namespace OrleansCausal.Storage.Postgres;

/// <summary>Checks <see cref="PostgresRecordStoreOptions"/> at start, with messages that name the setting.</summary>
public sealed partial class PostgresRecordStoreOptionsValidator : IValidateOptions<PostgresRecordStoreOptions>
{
    public ValidateOptionsResult Validate(string? name, PostgresRecordStoreOptions options)
    {
        var failures = new List<string>();
        var prefix = nameof(PostgresRecordStoreOptions);
        if (string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            failures.Add($"{prefix}.{nameof(options.ConnectionString)} is required (Store = postgres:Host=...;Username=...;Password=...;Database=...).");
        }
        else
        {
            try
            {
                var builder = new NpgsqlConnectionStringBuilder(options.ConnectionString);
                if (string.IsNullOrWhiteSpace(builder.Host))
                {
                    failures.Add($"{prefix}.{nameof(options.ConnectionString)} names no Host.");
                }
            }
            catch (ArgumentException e)
            {
                // The message of a parse error can quote the string; do not repeat it (it may hold a password).
                failures.Add($"{prefix}.{nameof(options.ConnectionString)} is not a valid Npgsql connection string: {e.GetType().Name}.");
            }
        }

        if (!RegionId.IsValid(options.Region.ToString()))
        {
            failures.Add($"{prefix}.{nameof(options.Region)} is required.");
        }

        if (!SchemaName().IsMatch(options.Schema ?? string.Empty))
        {
            failures.Add($"{prefix}.{nameof(options.Schema)} '{options.Schema}' must be 1-48 characters from a-z, 0-9 and '_', starting with a letter or '_'.");
        }

        if (options.WriterCount is < 1 or > 64)
        {
            failures.Add($"{prefix}.{nameof(options.WriterCount)} must be between 1 and 64 (was {options.WriterCount}).");
        }

        if (options.MaxBatchSize is < 1 or > 10_000)
        {
            failures.Add($"{prefix}.{nameof(options.MaxBatchSize)} must be between 1 and 10000 (was {options.MaxBatchSize}).");
        }

        if (options.ListenReconnectMaxDelay <= TimeSpan.Zero)
        {
            failures.Add($"{prefix}.{nameof(options.ListenReconnectMaxDelay)} must be positive.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    [GeneratedRegex("^[a-z_][a-z0-9_]{0,47}$")]
    private static partial Regex SchemaName();
}
