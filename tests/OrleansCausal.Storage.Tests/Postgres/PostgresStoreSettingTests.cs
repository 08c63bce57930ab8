using Microsoft.Extensions.Options;
using OrleansCausal.Core;
using OrleansCausal.Storage.Postgres;

namespace OrleansCausal.Storage.Tests.Postgres;

public sealed class PostgresStoreSettingTests
{
    [Fact]
    public void Create_WhenSettingIsPostgres_UsesTheConnectionStringAfterThePrefix()
    {
        var store = PostgresStoreSetting.Create("postgres:Host=db.internal;Port=6543;Username=oc;Password=hunter2;Database=eu", RegionId.Parse("eu"));

        Assert.Equal("postgres:Host=db.internal;Port=6543;Username=oc;Password=***;Database=eu", store.Description);
    }

    [Fact]
    public void TryParse_WhenSettingIsSqlite_ReturnsFalse()
    {
        Assert.False(PostgresStoreSetting.TryParse("sqlite:./data/eu.db", out _));
        Assert.True(PostgresStoreSetting.TryParse("postgres:Host=x", out var connection));
        Assert.Equal("Host=x", connection);
    }

    [Fact]
    public void Create_WhenConnectionStringIsEmpty_FailsValidationNamingTheSetting()
    {
        var error = Assert.Throws<OptionsValidationException>(() => PostgresStoreSetting.Create("postgres:", RegionId.Parse("eu")));

        Assert.Contains("PostgresRecordStoreOptions.ConnectionString is required", error.Message, StringComparison.Ordinal);
    }
}
