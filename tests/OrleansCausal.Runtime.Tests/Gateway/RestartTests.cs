using System.Net;
using OrleansCausal.Runtime.Tests.Support;
using static OrleansCausal.Runtime.Tests.Support.KvApi;

namespace OrleansCausal.Runtime.Tests.Gateway;

/// <summary>Stop a silo and start it again on the same SQLite file: every acknowledged write is there.</summary>
public sealed class RestartTests
{
    [Fact]
    public async Task Restart_OnSameFile_KeepsEveryAcknowledgedWrite()
    {
        var settings = new Dictionary<string, string?> { ["Store"] = "sqlite:" + TempFiles.NewDatabasePath("restart"), ["Limits:MaxSiblings"] = "64" };
        var acknowledged = new List<(string Key, string Dot, string Value)>();
        string replica;
        await using (var first = await TestSilo.StartAsync(settings))
        {
            replica = await ReplicaAsync(first);
            var writes = Enumerable.Range(0, 60).Select(async i =>
            {
                var record = await first.Client.SendForRecordAsync(Put($"/v1/kv/default/k{i % 7}", i.ToString()));
                var mine = record.Siblings.Single(s => s.Value.GetRawText() == i.ToString());
                return (Key: $"k{i % 7}", mine.Dot, Value: i.ToString());
            });
            acknowledged.AddRange(await Task.WhenAll(writes));
            await first.StopAsync();
        }

        await using var second = await TestSilo.StartAsync(settings);
        Assert.Equal(replica, await ReplicaAsync(second));
        foreach (var group in acknowledged.GroupBy(a => a.Key))
        {
            var record = await second.Client.SendForRecordAsync(Get($"/v1/kv/default/{group.Key}"));
            Assert.Equal(group.Select(a => (a.Dot, a.Value)).OrderBy(x => x.Dot), record.Siblings.Select(s => (s.Dot, s.Value.GetRawText())).OrderBy(x => x.Dot));
        }

        // Dots continue after the restart: the next write gets a new counter, never a reused one.
        var next = await second.Client.SendForRecordAsync(Put("/v1/kv/default/k0", "\"after\""));
        var newDot = next.Siblings.Single(s => s.Value.GetRawText() == "\"after\"").Dot;
        Assert.DoesNotContain(newDot, acknowledged.Where(a => a.Key == "k0").Select(a => a.Dot));
        Assert.EndsWith(".10", newDot);
    }

    [Fact]
    public async Task Stop_WhileRequestsAreInFlight_LosesNoAcknowledgedWrite()
    {
        var settings = new Dictionary<string, string?> { ["Store"] = "sqlite:" + TempFiles.NewDatabasePath("drain"), ["Limits:MaxSiblings"] = "1024" };
        var acknowledged = new System.Collections.Concurrent.ConcurrentBag<(string Dot, string Value)>();
        await using (var silo = await TestSilo.StartAsync(settings))
        {
            using var stop = new CancellationTokenSource();
            var firstAcknowledged = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var writers = Enumerable.Range(0, 8).Select(w => Task.Run(async () =>
            {
                using var client = silo.NewClient();
                for (var i = 0; !stop.IsCancellationRequested && i < 10_000; i++)
                {
                    var value = $"\"w{w}-{i}\"";
                    try
                    {
                        using var response = await client.SendAsync(Put("/v1/kv/default/drain", value));
                        if (response.StatusCode != HttpStatusCode.OK)
                        {
                            continue;
                        }

                        var body = await response.Content.ReadAsStringAsync();
                        var record = System.Text.Json.JsonSerializer.Deserialize<KvApi.Record>(body, System.Text.Json.JsonSerializerOptions.Web)!;
                        acknowledged.Add((record.Siblings.Single(s => s.Value.GetRawText() == value).Dot, value));
                        firstAcknowledged.TrySetResult();
                    }
                    catch (HttpRequestException)
                    {
                        return;
                    }
                }
            })).ToArray();

            await firstAcknowledged.Task.WaitAsync(TimeSpan.FromSeconds(30));
            await silo.StopAsync();
            stop.Cancel();
            await Task.WhenAll(writers).WaitAsync(TimeSpan.FromSeconds(60));
        }

        await using var restarted = await TestSilo.StartAsync(settings);
        var after = await restarted.Client.SendForRecordAsync(Get("/v1/kv/default/drain"));
        var present = after.Siblings.Select(s => (s.Dot, s.Value.GetRawText())).ToHashSet();
        var missing = acknowledged.Where(a => !present.Contains(a)).ToArray();
        Assert.True(missing.Length == 0, $"{missing.Length} of {acknowledged.Count} acknowledged writes are missing after restart, e.g. {string.Join(", ", missing.Take(3))}");
        Assert.NotEmpty(acknowledged);
    }

    [Fact]
    public async Task SigningKey_WhenNotConfigured_IsGeneratedPersistedAndReusedAfterRestart()
    {
        var path = TempFiles.NewDatabasePath("key");
        var settings = new Dictionary<string, string?> { ["Store"] = "sqlite:" + path, ["Context:SigningKey"] = null };
        KvApi.Record written;
        await using (var first = await TestSilo.StartAsync(settings))
        {
            written = await first.Client.SendForRecordAsync(Put("/v1/kv/default/k", "\"12F\""));
            await first.StopAsync();
        }

        await using var second = await TestSilo.StartAsync(settings);
        var superseding = await second.Client.SendForRecordAsync(Put("/v1/kv/default/k", "\"5C\"", written.Context));

        Assert.True(File.Exists(path + ".signing-key"), "expected the generated key next to the data file");
        Assert.True((await File.ReadAllTextAsync(path + ".signing-key")).Trim().Length >= 32);
        Assert.Equal(["\"5C\""], superseding.SiblingValues);
    }

    private static async Task<string> ReplicaAsync(TestSilo silo)
    {
        var status = System.Text.Json.JsonDocument.Parse(await silo.Client.GetStringAsync("/v1/status")).RootElement;
        return status.GetProperty("replica").GetString()!;
    }
}
