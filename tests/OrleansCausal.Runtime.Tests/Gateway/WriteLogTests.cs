using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using OrleansCausal.Runtime.Tests.Support;
using static OrleansCausal.Runtime.Tests.Support.KvApi;

namespace OrleansCausal.Runtime.Tests.Gateway;

/// <summary>The write log (category <c>OrleansCausal.Gateway.Writes</c>, README "Operations"): every PUT and DELETE
/// with the caller's API-key name and its outcome — accepted at Debug, refused at Warning — and nothing for reads.</summary>
public sealed class WriteLogTests
{
    private const string Category = "OrleansCausal.Gateway.Writes";

    [Fact]
    public async Task Writes_AreLoggedWithCallerAndOutcome_ReadsAreNot()
    {
        var key = "write-log-" + Guid.NewGuid().ToString("N")[..8];
        await using var silo = await TestSilo.StartAsync(
            new Dictionary<string, string?>
            {
                ["Auth:ApiKeys:checkin-app"] = "checkin-app-secret-0123456789",
                ["Logging:LogLevel:" + Category] = "Debug",
            },
            services => services.AddFakeLogging());
        var collector = silo.Services.GetFakeLogCollector();
        using var client = silo.NewClient(bearer: "checkin-app-secret-0123456789");

        var written = await client.SendForRecordAsync(Put($"/v1/kv/default/{key}", "\"12F\""));
        await client.SendForRecordAsync(Get($"/v1/kv/default/{key}"));
        using (var refused = await client.SendAsync(Put($"/v1/kv/default/{key}", "{not json")))
        {
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        }

        using (var deleted = await client.SendAsync(Delete($"/v1/kv/default/{key}", written.Context)))
        {
            Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        }

        var lines = collector.GetSnapshot().Where(r => r.Category == Category).ToArray();
        string Describe() => string.Join(" | ", lines.Select(l => $"{l.Level}: {l.Message}"));
        Assert.True(lines.Length == 3, $"expected 3 write log lines (PUT accepted, PUT refused, DELETE accepted), got: {Describe()}");
        Assert.All(lines, l => Assert.Contains("checkin-app", l.Message, StringComparison.Ordinal));
        Assert.Equal(LogLevel.Debug, lines[0].Level);
        Assert.Contains($"PUT /v1/kv/default/{key}", lines[0].Message, StringComparison.Ordinal);
        Assert.Contains("accepted (200)", lines[0].Message, StringComparison.Ordinal);
        Assert.Equal(LogLevel.Warning, lines[1].Level);
        Assert.Contains("refused (400)", lines[1].Message, StringComparison.Ordinal);
        Assert.Equal(LogLevel.Debug, lines[2].Level);
        Assert.Contains($"DELETE /v1/kv/default/{key}", lines[2].Message, StringComparison.Ordinal);
        Assert.DoesNotContain(lines, l => l.Message.Contains("GET", StringComparison.Ordinal));
    }
}
