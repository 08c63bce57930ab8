using System.Diagnostics;
using System.Net;
using System.Text.Json;
using OrleansCausal.Runtime.Tests.Support;
using OrleansCausal.Tests.Shared;
using Xunit.Abstractions;
using static OrleansCausal.Runtime.Tests.Support.KvApi;

namespace OrleansCausal.Runtime.Tests.Gateway;

/// <summary>
/// A region of two silo executables (child processes, <c>dotnet orleans-causal-silo.dll</c>) on one PostgreSQL
/// database, with no Orleans port settings: they form one Orleans cluster, keep every concurrent write, and after
/// <c>kill -9</c> of one the survivor serves all of the region's records; the killed silo restarts and rejoins.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresRegionProcessTests(PostgresServer server, ITestOutputHelper output)
{
    private static readonly TimeSpan ConvergenceDeadline = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan ServeAfterKillDeadline = TimeSpan.FromSeconds(20);
    private readonly List<SiloProcess> _silos = [];

    [Fact]
    public async Task TwoSiloProcesses_WhenWritingOneKeyConcurrently_FormOneClusterAndKeepEveryDotOnce()
    {
        await WithSilosAsync(async () =>
        {
            var (silo1, silo2) = await StartRegionAsync("concurrent");

            var writes = new[] { silo1, silo2 }
                .SelectMany((silo, s) => Enumerable.Range(0, 15).Select(i => PutAsync(silo, "shared", $"\"s{s + 1}-{i}\"")))
                .ToArray();
            var acknowledged = await Task.WhenAll(writes);

            Assert.Equal(30, acknowledged.Select(a => a.Dot).Distinct().Count());
            foreach (var silo in new[] { silo1, silo2 })
            {
                var record = await silo.Client.SendForRecordAsync(Get("/v1/kv/default/shared"));
                Assert.Equal(acknowledged.Select(a => (a.Dot, a.Value)).OrderBy(a => a.Dot, StringComparer.Ordinal), Written(record));
            }
        });
    }

    [Fact]
    public async Task KillNine_WhenOneOfTwoSilosDies_SurvivorServesEveryRecordAndRestartedSiloRejoins()
    {
        await WithSilosAsync(async () =>
        {
            var (silo1, silo2) = await StartRegionAsync("kill");
            var before = (await ClusterView.ReadAsync(silo1.Client, CancellationToken.None)).Active;
            var acknowledged = await Task.WhenAll(
                Enumerable.Range(0, 20).Select(i => PutAsync(silo1, $"one/{i}", $"\"one-{i}\""))
                    .Concat(Enumerable.Range(0, 20).Select(i => PutAsync(silo2, $"two/{i}", $"\"two-{i}\""))));
            Assert.Equal(40, acknowledged.Select(a => a.Key).Distinct().Count());
            var hostedBySilo2 = (await StatusView.ReadAsync(silo2.Client, CancellationToken.None)).RecordGrains;
            Assert.True(hostedBySilo2 > 0, "before the kill: silo 2 hosts no record grain, so killing it would prove nothing");

            await silo2.KillAsync();
            var served = await Eventually.UntilAsync("serving after kill -9", ServeAfterKillDeadline, ct => AllServedAsync(silo1, acknowledged, ct));
            output.WriteLine($"silo 1 served all 40 records {served.TotalSeconds:0.00} s after kill -9 of silo 2 (which hosted {hostedBySilo2} record grains)");

            var restartClock = Stopwatch.StartNew();
            var restarted = await StartSiloAsync("silo 2 (restarted)", silo2.Arguments);
            var started = restartClock.Elapsed;
            var (rejoined, view) = await WaitForRejoinAsync(silo1, restarted, before);
            output.WriteLine($"restarted silo 2 listened after {started.TotalSeconds:0.00} s; silo 1 saw it active {restartClock.Elapsed.TotalSeconds:0.00} s after the restart ({rejoined.TotalSeconds:0.00} s after it listened): {view}");

            var old = before.Except(view.Active).Single();
            Assert.True(view.Silos.All(s => s.Address != old || s.Status == "dead"), $"rejoin: the killed incarnation {old} must be dead or gone, silo 1 sees {view}");
            var after = await Task.WhenAll(Enumerable.Range(0, 5).Select(i => PutAsync(restarted, $"three/{i}", $"\"three-{i}\"")));
            foreach (var write in after.Concat(acknowledged.Take(1)).Concat(acknowledged.TakeLast(1)))
            {
                var record = await silo1.Client.SendForRecordAsync(Get($"/v1/kv/default/{write.Key}"));
                Assert.Equal([(write.Dot, write.Value)], Written(record));
            }

            var throughRestarted = await restarted.Client.SendForRecordAsync(Get("/v1/kv/default/two/0"));
            Assert.Equal([(acknowledged[20].Dot, acknowledged[20].Value)], Written(throughRestarted));
        });
    }

    /// <summary>Runs the scenario; on failure prints every child's output tail; always kills every child.</summary>
    private async Task WithSilosAsync(Func<Task> scenario)
    {
        try
        {
            await scenario();
        }
        catch
        {
            foreach (var silo in _silos)
            {
                output.WriteLine(silo.OutputTail());
            }

            throw;
        }
        finally
        {
            foreach (var silo in _silos)
            {
                await silo.DisposeAsync();
            }
        }
    }

    /// <summary>Two silos of region A on a fresh database; returns once both see the same two active silos.</summary>
    private async Task<(SiloProcess Silo1, SiloProcess Silo2)> StartRegionAsync(string label)
    {
        var database = await server.CreateDatabaseAsync(label);
        string[] arguments =
        [
            "--Region", "A", "--Store", "postgres:" + database, "--Context:SigningKey", TestSilo.SigningKey,
            "--Logging:LogLevel:Default", "Warning", "--Logging:LogLevel:Microsoft.Hosting.Lifetime", "Information",
            "--Logging:LogLevel:Orleans.Runtime.MembershipService", "Information",
        ];
        var silo1 = await StartSiloAsync("silo 1", arguments);
        var silo2 = await StartSiloAsync("silo 2", arguments);
        ClusterView[] views = [];
        var formed = await Eventually.UntilAsync("cluster formation", ConvergenceDeadline, async ct =>
        {
            views = [await ClusterView.ReadAsync(silo1.Client, ct), await ClusterView.ReadAsync(silo2.Client, ct)];
            var done = views.All(v => v.Silos.Count == 2 && v.Active.Count == 2) && views[0].Active.SetEquals(views[1].Active);
            return (done, $"silo 1 sees {views[0]}, silo 2 sees {views[1]}");
        });
        Assert.All(views, v => Assert.Equal("A", v.Id));
        output.WriteLine($"one cluster of two active silos {formed.TotalSeconds:0.00} s after silo 2 listened: {views[0]}");
        return (silo1, silo2);
    }

    private async Task<SiloProcess> StartSiloAsync(string name, IReadOnlyList<string> arguments)
    {
        var silo = await SiloProcess.StartAsync(name, arguments, Path.GetDirectoryName(TempFiles.NewDatabasePath("process"))!);
        _silos.Add(silo);
        return silo;
    }

    /// <summary>Waits until silo 1 and the restarted silo both see exactly silo 1 and one new incarnation active.</summary>
    private static async Task<(TimeSpan Took, ClusterView View)> WaitForRejoinAsync(SiloProcess silo1, SiloProcess restarted, IReadOnlySet<string> before)
    {
        ClusterView view = new("?", []);
        var took = await Eventually.UntilAsync("rejoin after restart", ConvergenceDeadline, async ct =>
        {
            view = await ClusterView.ReadAsync(silo1.Client, ct);
            var own = await ClusterView.ReadAsync(restarted.Client, ct);
            var active = view.Active;
            var done = active.Count == 2 && active.Intersect(before).Count() == 1 && active.SetEquals(own.Active);
            return (done, $"silo 1 sees {view}, the restarted silo sees {own}, before the kill: [{string.Join(", ", before)}]");
        });
        return (took, view);
    }

    private static async Task<(bool Done, string Seen)> AllServedAsync(SiloProcess silo, Acknowledged[] acknowledged, CancellationToken cancellationToken)
    {
        var reads = await Task.WhenAll(acknowledged.Select(async write =>
        {
            using var response = await silo.Client.SendAsync(Get($"/v1/kv/default/{write.Key}"), cancellationToken);
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            if (response.StatusCode != HttpStatusCode.OK)
            {
                return (write.Key, Ok: false, Seen: $"{(int)response.StatusCode} {body}");
            }

            var written = Written(JsonSerializer.Deserialize<KvApi.Record>(body, JsonSerializerOptions.Web)!);
            var exact = written.SequenceEqual([(write.Dot, write.Value)]);
            return (write.Key, Ok: exact, Seen: exact ? "ok" : $"siblings [{string.Join(", ", written)}] instead of ({write.Dot}, {write.Value})");
        }));
        var failed = reads.Where(r => !r.Ok).ToArray();
        return (failed.Length == 0, $"{failed.Length} of {reads.Length} records not served exactly, e.g. {string.Join("; ", failed.Take(3).Select(f => $"{f.Key}: {f.Seen}"))}");
    }

    private static async Task<Acknowledged> PutAsync(SiloProcess silo, string key, string value)
    {
        var record = await silo.Client.SendForRecordAsync(Put($"/v1/kv/default/{key}", value));
        return new Acknowledged(key, record.Siblings.Single(s => s.Value.GetRawText() == value).Dot, value);
    }

    private static (string Dot, string Value)[] Written(KvApi.Record record) =>
        record.Siblings.Select(s => (s.Dot, s.Value.GetRawText())).OrderBy(s => s.Dot, StringComparer.Ordinal).ToArray();

    private sealed record Acknowledged(string Key, string Dot, string Value);
}
