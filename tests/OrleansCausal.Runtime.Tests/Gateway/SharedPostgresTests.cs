using System.Collections.Concurrent;
using OrleansCausal.Runtime.Tests.Support;
using OrleansCausal.Tests.Shared;
using static OrleansCausal.Runtime.Tests.Support.KvApi;

namespace OrleansCausal.Runtime.Tests.Gateway;

/// <summary>Two silos of one region sharing one real PostgreSQL database, over real HTTP.</summary>
[Collection(PostgresCollection.Name)]
public sealed class SharedPostgresTests(PostgresServer server)
{
    [Fact]
    public async Task TwoSilos_ConcurrentBlindWritesToSameKeys_LoseNoBinAndNeverDuplicateADot()
    {
        var settings = await SettingsAsync("blind");
        await using var silo1 = await TestSilo.StartAsync(settings);
        await using var silo2 = await TestSilo.StartAsync(settings);
        var acknowledged = new ConcurrentBag<(string Key, string Dot, string Value)>();

        var writers = new[] { silo1, silo2 }.SelectMany((silo, s) => Enumerable.Range(0, 4).Select(w => Task.Run(async () =>
        {
            using var client = silo.NewClient();
            for (var i = 0; i < 15; i++)
            {
                var key = $"k{i % 3}";
                var value = $"\"s{s}-w{w}-{i}\"";
                var record = await client.SendForRecordAsync(Put($"/v1/kv/default/{key}", value));
                acknowledged.Add((key, record.Siblings.Single(b => b.Value.GetRawText() == value).Dot, value));
            }
        }))).ToArray();
        await Task.WhenAll(writers).WaitAsync(TimeSpan.FromSeconds(120));

        Assert.Equal(120, acknowledged.Count);
        Assert.Equal(120, acknowledged.Select(a => (a.Key, a.Dot)).Distinct().Count());
        foreach (var silo in new[] { silo1, silo2 })
        {
            foreach (var group in acknowledged.GroupBy(a => a.Key))
            {
                var record = await silo.Client.SendForRecordAsync(Get($"/v1/kv/default/{group.Key}"));
                Assert.Equal(group.Select(a => (a.Dot, a.Value)).OrderBy(x => x.Dot), record.Siblings.Select(b => (b.Dot, b.Value.GetRawText())).OrderBy(x => x.Dot));
            }
        }
    }

    [Fact]
    public async Task ReadOnSilo2_CarryingSilo1Context_SeesSilo1Write()
    {
        var settings = await SettingsAsync("session");
        await using var silo1 = await TestSilo.StartAsync(settings);
        await using var silo2 = await TestSilo.StartAsync(settings);
        var first = await silo1.Client.SendForRecordAsync(Put("/v1/kv/default/seat", "\"12F\""));
        var cachedOnSilo2 = await silo2.Client.SendForRecordAsync(Get("/v1/kv/default/seat", first.Context));
        Assert.Equal(["\"12F\""], cachedOnSilo2.SiblingValues);

        for (var i = 0; i < 20; i++)
        {
            var written = await silo1.Client.SendForRecordAsync(Put("/v1/kv/default/seat", $"\"{i}\"", first.Context));
            var read = await silo2.Client.SendForRecordAsync(Get("/v1/kv/default/seat", written.Context));

            Assert.True(written.Dots.SequenceEqual(read.Dots), $"round {i}: silo 2 answered {string.Join(",", read.Dots)} to a context covering {string.Join(",", written.Dots)}");
            first = written;
        }
    }

    [Fact]
    public async Task ReadModifyWrite_AlternatingSilos_EndsWithOneValue()
    {
        var settings = await SettingsAsync("alternate");
        await using var silo1 = await TestSilo.StartAsync(settings);
        await using var silo2 = await TestSilo.StartAsync(settings);
        var silos = new[] { silo1, silo2 };
        string? context = null;

        for (var i = 0; i < 10; i++)
        {
            var written = await silos[i % 2].Client.SendForRecordAsync(Put("/v1/kv/default/counter", i.ToString(), context));
            var read = await silos[(i + 1) % 2].Client.SendForRecordAsync(Get("/v1/kv/default/counter", written.Context));
            Assert.Equal([i.ToString()], read.SiblingValues);
            context = read.Context;
        }
    }

    private async Task<Dictionary<string, string?>> SettingsAsync(string label) => new()
    {
        ["Store"] = "postgres:" + await server.CreateDatabaseAsync(label),
        ["Limits:MaxSiblings"] = "1024",
    };
}
