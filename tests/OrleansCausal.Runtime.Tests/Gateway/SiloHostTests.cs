using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using OrleansCausal.Runtime.Tests.Support;
using OrleansCausal.Storage.Postgres;
using OrleansCausal.Storage.Sqlite;
using static OrleansCausal.Runtime.Tests.Support.KvApi;

namespace OrleansCausal.Runtime.Tests.Gateway;

/// <summary>Status, health, OpenAPI, authentication and start-up validation of the silo host.</summary>
public sealed class SiloHostTests
{
    private const string ApiKey = "test-api-key-0123456789";

    /// <summary>A PostgreSQL store on a port nothing listens on: these tests must decide before any connection.</summary>
    private const string UnreachablePostgresStore = "postgres:Host=127.0.0.1;Port=1;Database=unused";

    [Fact]
    public async Task Status_ReportsRegionReplicaStoreClusterGrainsAndPeers()
    {
        await using var silo = await TestSilo.StartAsync();
        await silo.Client.SendForRecordAsync(Put("/v1/kv/default/k", "1"));

        var status = JsonDocument.Parse(await silo.Client.GetStringAsync("/v1/status")).RootElement;

        Assert.Equal("A", status.GetProperty("region").GetString());
        Assert.StartsWith("A.", status.GetProperty("replica").GetString());
        Assert.StartsWith("sqlite:", status.GetProperty("store").GetString());
        Assert.Equal(1, status.GetProperty("recordGrains").GetInt32());
        var cluster = status.GetProperty("cluster");
        Assert.Equal("A", cluster.GetProperty("id").GetString());
        var silo1 = Assert.Single(cluster.GetProperty("silos").EnumerateArray());
        Assert.Equal("active", silo1.GetProperty("status").GetString());
        Assert.StartsWith("S127.0.0.1:", silo1.GetProperty("address").GetString());
        Assert.Equal(JsonValueKind.Array, status.GetProperty("peers").ValueKind);
        Assert.Equal(0, status.GetProperty("peers").GetArrayLength());
        Assert.Contains(status.GetProperty("namespaces").EnumerateArray(), n => n.GetProperty("name").GetString() == "default" && n.GetProperty("resolver").GetString() == "lww");
    }

    [Fact]
    public async Task HealthAndReadiness_Return200()
    {
        await using var silo = await TestSilo.StartAsync();

        using var health = await silo.Client.GetAsync("/healthz");
        using var ready = await silo.Client.GetAsync("/readyz");

        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
    }

    [Fact]
    public async Task OpenApiDocument_DescribesKvAndStatusEndpoints()
    {
        await using var silo = await TestSilo.StartAsync();

        var document = JsonDocument.Parse(await silo.Client.GetStringAsync("/openapi/v1.json")).RootElement;
        var paths = document.GetProperty("paths");

        Assert.True(paths.TryGetProperty("/v1/status", out _));
        var kv = paths.EnumerateObject().Single(p => p.Name.StartsWith("/v1/kv/{namespace}/", StringComparison.Ordinal)).Value;
        Assert.True(kv.TryGetProperty("get", out _));
        Assert.True(kv.TryGetProperty("put", out _));
        Assert.True(kv.TryGetProperty("delete", out _));
    }

    [Fact]
    public async Task ApiKeys_WhenConfigured_GuardV1ButNotHealth()
    {
        await using var silo = await TestSilo.StartAsync(new Dictionary<string, string?> { ["Auth:ApiKeys:0"] = ApiKey });
        using var anonymous = silo.NewClient();
        using var wrong = silo.NewClient("wrong-key-0123456789abc");
        using var right = silo.NewClient(ApiKey);

        var (noKey, problem, _, response) = await anonymous.SendRawAsync(Put("/v1/kv/default/k", "1"));
        var (badKey, _, _, _) = await wrong.SendRawAsync(Get("/v1/status"));
        using var statusWithKey = await right.GetAsync("/v1/status");
        using var health = await anonymous.GetAsync("/healthz");
        using var ready = await anonymous.GetAsync("/readyz");
        var (afterRefusal, _, _, _) = await right.SendRawAsync(Get("/v1/kv/default/k"));

        Assert.Equal(HttpStatusCode.Unauthorized, noKey);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("Authorization: Bearer", problem.GetProperty("detail").GetString());
        Assert.Equal(HttpStatusCode.Unauthorized, badKey);
        Assert.Equal(HttpStatusCode.OK, statusWithKey.StatusCode);
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, afterRefusal);
    }

    [Fact]
    public async Task Write_WithANamedApiKey_KeepsTheKeysNameAsTheBinsWriter()
    {
        await using var silo = await TestSilo.StartAsync(new Dictionary<string, string?>
        {
            ["Auth:ApiKeys:check-in-desk"] = ApiKey,
            ["Auth:ApiKeys:mobile-app"] = "mobile-app-key-0123456789",
        });
        using var desk = silo.NewClient(ApiKey);
        using var mobile = silo.NewClient("mobile-app-key-0123456789");

        await desk.SendForRecordAsync(Put("/v1/kv/default/seat", "\"12F\""));
        await mobile.SendForRecordAsync(Put("/v1/kv/default/seat", "\"10D\""));
        var record = JsonDocument.Parse(await desk.GetStringAsync("/v1/kv/default/seat")).RootElement;
        var explained = JsonDocument.Parse(await desk.GetStringAsync("/v1/explain/default/seat")).RootElement;

        Assert.Equal(["check-in-desk", "mobile-app"], record.GetProperty("siblings").EnumerateArray().Select(s => s.GetProperty("writer").GetString()).Order());
        Assert.Equal(["check-in-desk", "mobile-app"], explained.GetProperty("bins").EnumerateArray().Select(b => b.GetProperty("writer").GetString()).Order());
    }

    [Fact]
    public async Task Write_OnASiloWithoutKeys_NamesNoWriter()
    {
        await using var silo = await TestSilo.StartAsync();

        var written = JsonDocument.Parse(await (await silo.Client.SendAsync(Put("/v1/kv/default/anon", "1"))).Content.ReadAsStringAsync()).RootElement;

        Assert.False(Assert.Single(written.GetProperty("siblings").EnumerateArray()).TryGetProperty("writer", out _));
    }

    [Fact]
    public async Task ApiKeys_Named_AuthenticateAsTheirNameAndTheListFormStillWorks()
    {
        await using var silo = await TestSilo.StartAsync(new Dictionary<string, string?>
        {
            ["Auth:ApiKeys:billing"] = ApiKey,
            ["Auth:ApiKeys:0"] = "listed-api-key-0123456789",
        });
        using var named = silo.NewClient(ApiKey);
        using var listed = silo.NewClient("listed-api-key-0123456789");
        using var anonymous = silo.NewClient();

        using var namedStatus = await named.GetAsync("/v1/status");
        using var listedStatus = await listed.GetAsync("/v1/status");
        var detailed = JsonDocument.Parse(await named.GetStringAsync("/readyz")).RootElement;
        using var plain = await anonymous.GetAsync("/readyz");
        var keys = silo.Services.GetRequiredService<OrleansCausal.Gateway.Hosting.SiloSettings>().ApiKeys.Select(k => k.Name).Order().ToArray();

        Assert.Equal(HttpStatusCode.OK, namedStatus.StatusCode);
        Assert.Equal(HttpStatusCode.OK, listedStatus.StatusCode);
        Assert.Equal(["billing", "key-0"], keys);
        Assert.Equal("Healthy", detailed.GetProperty("status").GetString());
        var checks = detailed.GetProperty("checks");
        Assert.Equal("Healthy", checks.GetProperty("store").GetProperty("status").GetString());
        Assert.Equal("Healthy", checks.GetProperty("orleans-membership").GetProperty("status").GetString());
        Assert.Equal("Healthy", checks.GetProperty("replication-peers").GetProperty("status").GetString());
        Assert.Equal(HttpStatusCode.OK, plain.StatusCode);
        Assert.Equal("Healthy", await plain.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task ReplicationBatches_AreNotUnderTheApiKeyPolicy_ButReplicationStatusIs()
    {
        await using var silo = await TestSilo.StartAsync(new Dictionary<string, string?> { ["Auth:ApiKeys:ops"] = ApiKey });
        using var anonymous = silo.NewClient();

        using var batch = await anonymous.PostAsync("/v1/replication/batches", new ByteArrayContent([1, 2, 3]));
        using var status = await anonymous.GetAsync("/v1/replication/status");
        var problem = JsonDocument.Parse(await batch.Content.ReadAsStringAsync()).RootElement;

        // Answered by the replication endpoint itself (its own HMAC check, then the batch format), not by the API-key policy.
        Assert.Equal(HttpStatusCode.BadRequest, batch.StatusCode);
        Assert.Equal("Malformed replication batch", problem.GetProperty("title").GetString());
        Assert.False(batch.Headers.WwwAuthenticate.Any());
        Assert.Equal(HttpStatusCode.Unauthorized, status.StatusCode);
    }

    [Theory]
    [InlineData("http://0.0.0.0:0")]
    [InlineData("http://*:0")]
    [InlineData("http://127.0.0.1:0;http://10.1.2.3:0")]
    public void Build_WhenListeningBeyondLoopbackWithoutKeys_RefusesWithClearMessage(string urls)
    {
        var error = Assert.Throws<InvalidOperationException>(() => TestSilo.Build(new Dictionary<string, string?> { ["Urls"] = urls }));

        Assert.Contains("Auth:ApiKeys", error.Message);
        Assert.Contains("not loopback", error.Message);
    }

    [Fact]
    public async Task Build_WhenListeningBeyondLoopbackWithKeys_IsAllowed()
    {
        await using var app = TestSilo.Build(new Dictionary<string, string?> { ["Urls"] = "http://0.0.0.0:0", ["Auth:ApiKeys:0"] = ApiKey });

        Assert.NotNull(app);
    }

    [Theory]
    [InlineData("Region", "not a region!", "Region")]
    [InlineData("Context:SigningKey", "too-short", "Context:SigningKey")]
    [InlineData("Store", "redis:localhost", "Store kind 'redis'")]
    [InlineData("Auth:ApiKeys:0", "short", "Auth:ApiKeys")]
    public void Build_WithInvalidSetting_RefusesNamingTheSetting(string key, string value, string expected)
    {
        var error = Assert.Throws<InvalidOperationException>(() => TestSilo.Build(new Dictionary<string, string?> { [key] = value }));

        Assert.Contains(expected, error.Message);
    }

    [Theory]
    [InlineData("Namespaces:orders:Resolver", "fifo", "Namespaces:orders:Resolver")]
    [InlineData("Namespaces:orders:MaxSiblings", "0", "Namespaces:orders:MaxSiblings")]
    [InlineData("Namespaces:Bad Name:Resolver", "lww", "Namespaces:Bad Name")]
    [InlineData("Limits:MaxValueBytes", "0", "Limits:MaxValueBytes")]
    [InlineData("Actors:IdleTimeout", "00:00:00", "Actors:IdleTimeout")]
    [InlineData("Actors:MaxCacheAge", "-00:00:01", "Actors:MaxCacheAge")]
    [InlineData("Actors:ShedAtMemoryPercent", "5", "Actors:ShedAtMemoryPercent")]
    [InlineData("Actors:ShedAtMemoryPercent", "101", "Actors:ShedAtMemoryPercent")]
    [InlineData("Sqlite:MaxBatchSize", "0", "MaxBatchSize")]
    [InlineData("Sqlite:CheckpointInterval", "00:05:00", "CheckpointInterval")]
    public async Task Start_WithInvalidRuntimeSetting_FailsNamingTheSetting(string key, string value, string expected)
    {
        await using var app = TestSilo.Build(new Dictionary<string, string?> { [key] = value });

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => app.StartAsync());

        Assert.Contains(expected, error.Message);
    }

    /// <summary>The <c>Sqlite:*</c> settings tune the embedded store; the file still comes from <c>Store</c>.</summary>
    [Fact]
    public async Task SqliteSettings_TuneTheStoreTheSiloOpens()
    {
        await using var app = TestSilo.Build(new Dictionary<string, string?>
        {
            ["Sqlite:CheckpointInterval"] = "00:00:00.2",
            ["Sqlite:ReaderThreads"] = "3",
            ["Sqlite:MaxBatchSize"] = "64",
        });

        var options = app.Services.GetRequiredService<IOptions<SqliteRecordStoreOptions>>().Value;

        Assert.Equal(TimeSpan.FromMilliseconds(200), options.CheckpointInterval);
        Assert.Equal(3, options.ReaderThreads);
        Assert.Equal(64, options.MaxBatchSize);
        Assert.EndsWith(".db", options.Path, StringComparison.Ordinal);
    }

    /// <summary>The <c>Postgres:*</c> settings tune the PostgreSQL store; the connection string still comes from
    /// <c>Store</c>. Nothing connects: the options are read before the silo starts.</summary>
    [Fact]
    public async Task PostgresSettings_TuneTheStoreTheSiloOpens()
    {
        await using var app = TestSilo.Build(new Dictionary<string, string?>
        {
            ["Store"] = UnreachablePostgresStore,
            ["Postgres:Schema"] = "eu_west",
            ["Postgres:MaxBatchSize"] = "64",
            ["Postgres:ListenReconnectMaxDelay"] = "00:00:02",
        });

        var options = app.Services.GetRequiredService<IOptions<PostgresRecordStoreOptions>>().Value;

        Assert.Equal("eu_west", options.Schema);
        Assert.Equal(64, options.MaxBatchSize);
        Assert.Equal(TimeSpan.FromSeconds(2), options.ListenReconnectMaxDelay);
        Assert.Contains("Database=unused", options.ConnectionString, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Postgres:WriterCount", "0", "WriterCount")]
    [InlineData("Postgres:Schema", "Bad-Schema", "Schema")]
    public async Task Start_WithInvalidPostgresSetting_FailsNamingTheSettingBeforeConnecting(string key, string value, string expected)
    {
        await using var app = TestSilo.Build(new Dictionary<string, string?>
        {
            ["Store"] = UnreachablePostgresStore,
            [key] = value,
        });

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => app.StartAsync());

        Assert.Contains(expected, error.Message);
    }

    /// <summary><c>Actors:ShedAtMemoryPercent</c> is Orleans' shedding of activations under memory pressure: on at 85 %
    /// (down to 80 %) unless set, at the configured percentage when set, off at 0.</summary>
    [Theory]
    [InlineData(null, true, 85, 80)]
    [InlineData("70", true, 70, 65)]
    [InlineData("0", false, null, null)]
    public async Task ShedAtMemoryPercent_IsOrleansMemoryPressureShedding(string? setting, bool enabled, int? limit, int? target)
    {
        await using var app = TestSilo.Build(setting is null ? null : new Dictionary<string, string?> { ["Actors:ShedAtMemoryPercent"] = setting });

        var collection = app.Services.GetRequiredService<IOptions<GrainCollectionOptions>>().Value;

        Assert.Equal(enabled, collection.EnableActivationSheddingOnMemoryPressure);
        if (enabled)
        {
            Assert.Equal(limit, (int)collection.MemoryUsageLimitPercentage);
            Assert.Equal(target, (int)collection.MemoryUsageTargetPercentage);
        }
    }

    [Theory]
    [InlineData("Orleans:SiloPort", "70000")]
    [InlineData("Orleans:GatewayPort", "port")]
    [InlineData("Orleans:AdvertisedIP", "not-an-ip")]
    public void Build_WithInvalidOrleansSetting_FailsNamingTheSetting(string key, string value)
    {
        var error = Assert.Throws<InvalidOperationException>(() => TestSilo.Build(new Dictionary<string, string?> { [key] = value }));

        Assert.Contains(key, error.Message);
    }

    [Fact]
    public async Task Start_WithoutRegionOrPeers_ServesRegionLocal()
    {
        await using var silo = await TestSilo.StartAsync(new Dictionary<string, string?> { ["Region"] = null });

        var status = JsonDocument.Parse(await silo.Client.GetStringAsync("/v1/status")).RootElement;

        Assert.Equal("local", status.GetProperty("region").GetString());
    }

    [Fact]
    public void Build_WithPeersButNoRegion_Refuses()
    {
        var error = Assert.Throws<InvalidOperationException>(() => TestSilo.Build(new Dictionary<string, string?>
        {
            ["Region"] = null,
            ["Peers:B"] = "http://127.0.0.1:1",
        }));

        Assert.Contains("Region is required", error.Message);
    }

    [Fact]
    public async Task OpenNamespaces_ServeUnconfiguredNamespaceWithDefaults()
    {
        await using var silo = await TestSilo.StartAsync(new Dictionary<string, string?> { ["Namespaces:Open"] = "true" });

        var record = await silo.Client.SendForRecordAsync(Put("/v1/kv/anything/k", "\"v\""));

        Assert.Equal("anything", record.Namespace);
    }

    [Fact]
    public async Task ConfiguredPriorityResolver_ChoosesDisplayedValueAmongSiblings()
    {
        await using var silo = await TestSilo.StartAsync(new Dictionary<string, string?> { ["Namespaces:checks:Resolver"] = "priority:failed>completed>pending" });

        await silo.Client.SendForRecordAsync(Put("/v1/kv/checks/c1", "\"failed\""));
        var record = await silo.Client.SendForRecordAsync(Put("/v1/kv/checks/c1", "\"completed\""));

        Assert.Equal(2, record.Siblings.Count);
        Assert.Equal("\"failed\"", record.Value!.Value.GetRawText());
    }
}
