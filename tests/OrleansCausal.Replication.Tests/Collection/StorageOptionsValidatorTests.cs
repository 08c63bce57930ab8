using OrleansCausal.Replication.Collection;

namespace OrleansCausal.Replication.Tests.Collection;

public sealed class StorageOptionsValidatorTests
{
    [Fact]
    public void Validate_WhenDefaults_Succeeds() =>
        Assert.True(new StorageOptionsValidator().Validate(null, new StorageOptions()).Succeeded);

    [Fact]
    public void Validate_WhenEverySettingIsOutOfRange_NamesEachSetting()
    {
        var result = new StorageOptionsValidator().Validate(null, new StorageOptions { GcInterval = TimeSpan.Zero, FeedRetention = -1, MaxPurgePerRound = 0 });

        Assert.True(result.Failed);
        Assert.Contains("'Storage:GcInterval'", result.FailureMessage, StringComparison.Ordinal);
        Assert.Contains("'Storage:FeedRetention'", result.FailureMessage, StringComparison.Ordinal);
        Assert.Contains("'Storage:MaxPurgePerRound'", result.FailureMessage, StringComparison.Ordinal);
    }
}
