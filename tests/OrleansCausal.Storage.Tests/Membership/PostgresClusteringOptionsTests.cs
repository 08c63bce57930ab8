using Microsoft.Extensions.Options;
using Orleans.Runtime;
using OrleansCausal.Clustering.Postgres;

namespace OrleansCausal.Storage.Tests.Membership;

public sealed class PostgresClusteringOptionsTests
{
    [Theory]
    [InlineData("", "is empty")]
    [InlineData("   ", "is empty")]
    [InlineData("Database=x;Password=hunter2", "names no Host")]
    [InlineData("Host=h;Password=hunter2;Bogus=1", "not a valid Npgsql connection string")]
    public void ValidateConfiguration_WhenConnectionStringUnusable_ThrowsClearMessageWithoutPassword(string connectionString, string expected)
    {
        var validator = new PostgresClusteringOptionsValidator(Options.Create(new PostgresClusteringOptions { ConnectionString = connectionString }));

        var error = Assert.Throws<OrleansConfigurationException>(validator.ValidateConfiguration);

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.Contains("PostgresClusteringOptions.ConnectionString", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ValidateConfiguration_WhenConnectionStringNamesAHost_Passes()
    {
        var validator = new PostgresClusteringOptionsValidator(Options.Create(new PostgresClusteringOptions { ConnectionString = "Host=127.0.0.1;Database=d;Password=p" }));

        validator.ValidateConfiguration();
    }
}
