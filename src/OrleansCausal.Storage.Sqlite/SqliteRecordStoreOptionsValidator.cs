using Microsoft.Extensions.Options;

namespace OrleansCausal.Storage.Sqlite;

/// <summary>Validates <see cref="SqliteRecordStoreOptions"/> at host start (<c>ValidateOnStart</c>), with the same
/// messages the store gives when it is constructed directly.</summary>
internal sealed class SqliteRecordStoreOptionsValidator : IValidateOptions<SqliteRecordStoreOptions>
{
    public ValidateOptionsResult Validate(string? name, SqliteRecordStoreOptions options)
    {
        try
        {
            options.Validate();
            return ValidateOptionsResult.Success;
        }
        catch (ArgumentException invalid)
        {
            return ValidateOptionsResult.Fail($"Store (SQLite): {invalid.Message}");
        }
    }
}
