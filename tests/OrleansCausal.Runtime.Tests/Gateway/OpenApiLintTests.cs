using System.Diagnostics;
using System.Text.Json;
using OrleansCausal.Runtime.Tests.Support;

namespace OrleansCausal.Runtime.Tests.Gateway;

/// <summary>The OpenAPI document of a running silo, checked by Redocly CLI 2.77.0 (recommended rules) and by hand
/// for what generated clients need: the Bearer scheme on /v1 operations, operation ids and summaries, problem
/// responses.</summary>
public sealed class OpenApiLintTests : IAsyncLifetime
{
    public const string RedoclyVariable = "ORLEANSCAUSAL_REDOCLY";

    private TestSilo _silo = null!;

    public async Task InitializeAsync() =>
        _silo = await TestSilo.StartAsync(new Dictionary<string, string?> { ["Auth:ApiKeys:ops"] = "openapi-test-key-0123456789" });

    public async Task DisposeAsync() => await _silo.DisposeAsync();

    [Fact]
    public async Task OpenApiDocument_PassesRedoclyLintWithRecommendedRules()
    {
        var redocly = Environment.GetEnvironmentVariable(RedoclyVariable);
        Assert.True(!string.IsNullOrEmpty(redocly) && File.Exists(redocly),
            $"{RedoclyVariable} must name the redocly executable (@redocly/cli 2.77.0); bash tests/run-tests.sh installs it into tests/.tools/redocly and sets it (it is '{redocly}').");
        var path = Path.Combine(Path.GetTempPath(), $"orleanscausal-openapi-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(path, await _silo.Client.GetStringAsync("/openapi/v1.json"));
        try
        {
            var start = new ProcessStartInfo(redocly!, ["lint", path, "--extends=recommended"])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            start.Environment["REDOCLY_TELEMETRY"] = "off";
            start.Environment["REDOCLY_SUPPRESS_UPDATE_NOTICE"] = "true";
            using var process = Process.Start(start)!;
            var output = process.StandardOutput.ReadToEndAsync();
            var error = process.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
            await process.WaitForExitAsync(timeout.Token);

            Assert.True(process.ExitCode == 0, $"redocly lint exited with {process.ExitCode}:\n{await output}\n{await error}");
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task OpenApiDocument_DeclaresBearerSchemeOnV1OperationsWithIdsSummariesAndProblems()
    {
        var document = JsonDocument.Parse(await _silo.Client.GetStringAsync("/openapi/v1.json")).RootElement;

        var scheme = document.GetProperty("components").GetProperty("securitySchemes").GetProperty("ApiKey");
        Assert.Equal("http", scheme.GetProperty("type").GetString());
        Assert.Equal("bearer", scheme.GetProperty("scheme").GetString());
        Assert.All(document.GetProperty("servers").EnumerateArray(), s => Assert.False(s.GetProperty("url").GetString()!.EndsWith('/')));
        foreach (var path in document.GetProperty("paths").EnumerateObject())
        {
            foreach (var operation in path.Value.EnumerateObject())
            {
                var where = $"{operation.Name} {path.Name}";
                Assert.False(string.IsNullOrEmpty(operation.Value.GetProperty("operationId").GetString()), where);
                Assert.False(string.IsNullOrEmpty(operation.Value.GetProperty("summary").GetString()), where);
                var security = Assert.Single(operation.Value.GetProperty("security").EnumerateArray());
                Assert.True(security.TryGetProperty("ApiKey", out _), where);
                Assert.True(operation.Value.GetProperty("responses").TryGetProperty("401", out _), where);
            }
        }

        var kv = document.GetProperty("paths").EnumerateObject().Single(p => p.Name.StartsWith("/v1/kv/", StringComparison.Ordinal)).Value;
        var put = kv.GetProperty("put").GetProperty("responses");
        foreach (var status in new[] { "400", "401", "404", "413", "415", "503" })
        {
            var problem = put.GetProperty(status).GetProperty("content").GetProperty("application/problem+json");
            Assert.Contains("ProblemDetails", problem.GetProperty("schema").GetProperty("$ref").GetString());
        }

        Assert.True(kv.GetProperty("get").GetProperty("responses").TryGetProperty("200", out _));
    }
}
