using System.Net;
using System.Text;
using System.Text.Json;
using OrleansCausal.Runtime.Tests.Support;
using OrleansCausal.Tests.Shared;
using Xunit.Abstractions;

namespace OrleansCausal.Replication.Tests.EndToEnd;

/// <summary>
/// Region A: two silo executables (child processes) on one PostgreSQL database, one Orleans cluster, shipping to
/// region B (one SQLite silo process). The silo that runs A's shipper to B is killed with <c>kill -9</c>: once Orleans
/// has declared it dead, the survivor runs the shipper, resumes from the checkpoint, and a write made after the kill
/// reaches B.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class ShipperKillTests(PostgresServer server, ITestOutputHelper output)
{
    private const string SigningKey = "shipper-kill-test-signing-key-0123456789";
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(45);
    private readonly List<SiloProcess> _silos = [];

    [Fact]
    public async Task KillNine_OfTheShippingSilo_SurvivorResumesShippingFromTheCheckpoint()
    {
        var root = Path.Combine(Path.GetTempPath(), "oc-shipper-kill-" + Guid.NewGuid().ToString("n")[..10]);
        try
        {
            var b = await StartAsync("B", root, ["--Region", "B", "--Store", "sqlite:" + Path.Combine(root, "b.db")]);
            var database = await server.CreateDatabaseAsync("shipkill");
            string[] regionA = ["--Region", "A", "--Store", "postgres:" + database, "--Peers:B", b.Address.ToString(), "--Replication:ShipperKeepAliveInterval", "00:00:00.500"];
            var a1 = await StartAsync("A/1", root, regionA);
            var a2 = await StartAsync("A/2", root, regionA);

            await Eventually.UntilAsync("one shipper for B in A", Deadline, async ct =>
            {
                var (s1, s2) = (await PeerAsync(a1, ct), await PeerAsync(a2, ct));
                return (s1.Shipper is not null && s1.Shipper == s2.Shipper && s1.IsShipping != s2.IsShipping, $"A/1 {s1}, A/2 {s2}");
            });
            await PutAsync(a1, "before", "\"before the kill\"");
            await Eventually.UntilAsync("the write before the kill at B", Deadline, async ct => await ReadsAsync(b, "before", "\"before the kill\"", ct));

            var shipping = (await PeerAsync(a1, CancellationToken.None)).IsShipping ? a1 : a2;
            var survivor = shipping == a1 ? a2 : a1;
            var killedAddress = (await PeerAsync(survivor, CancellationToken.None)).Shipper;
            await shipping.KillAsync();
            // During the failover window the survivor answers 503 for keys whose grain was on the killed silo; retry.
            await Eventually.UntilAsync("the write after the kill at the survivor", Deadline, async ct => await TryPutAsync(survivor, "after", "\"after the kill\"", ct));
            var took = await Eventually.UntilAsync("the write after the kill at B", Deadline, async ct => await ReadsAsync(b, "after", "\"after the kill\"", ct));
            var peer = await PeerAsync(survivor, CancellationToken.None);
            output.WriteLine($"B served the write made after kill -9 of the shipping silo {killedAddress} {took.TotalSeconds:0.00} s later; now shipping: {peer}");
            Assert.True(peer.IsShipping, $"After the kill the survivor should run the shipper, its status says {peer}.");
            Assert.NotEqual(killedAddress, peer.Shipper);
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

            try
            {
                Directory.Delete(root, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    private async Task<SiloProcess> StartAsync(string name, string root, string[] arguments)
    {
        var silo = await SiloProcess.StartAsync(name, [.. arguments, "--Context:SigningKey", SigningKey, "--Logging:LogLevel:Default", "Warning", "--Logging:LogLevel:Microsoft.Hosting.Lifetime", "Information"], root);
        _silos.Add(silo);
        return silo;
    }

    private static async Task PutAsync(SiloProcess silo, string key, string json)
    {
        using var response = await silo.Client.PutAsync($"/v1/kv/default/{key}", new StringContent(json, Encoding.UTF8, "application/json"));
        Assert.True(response.IsSuccessStatusCode, $"PUT {key} at {silo.Name}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }

    private static async Task<(bool Done, string Seen)> TryPutAsync(SiloProcess silo, string key, string json, CancellationToken cancellationToken)
    {
        using var response = await silo.Client.PutAsync($"/v1/kv/default/{key}", new StringContent(json, Encoding.UTF8, "application/json"), cancellationToken);
        return (response.IsSuccessStatusCode, $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync(cancellationToken)}");
    }

    private static async Task<(bool Done, string Seen)> ReadsAsync(SiloProcess silo, string key, string json, CancellationToken cancellationToken)
    {
        using var response = await silo.Client.GetAsync($"/v1/kv/default/{key}", cancellationToken);
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            return (false, $"{(int)response.StatusCode} {body}");
        }

        using var document = JsonDocument.Parse(body);
        return (document.RootElement.GetProperty("value").GetRawText() == json, body);
    }

    private static async Task<PeerView> PeerAsync(SiloProcess silo, CancellationToken cancellationToken)
    {
        using var document = JsonDocument.Parse(await silo.Client.GetStringAsync("/v1/status", cancellationToken));
        var peer = document.RootElement.GetProperty("peers").EnumerateArray().Single();
        return new PeerView(
            peer.GetProperty("shipper").ValueKind == JsonValueKind.String ? peer.GetProperty("shipper").GetString() : null,
            peer.GetProperty("isShipping").GetBoolean(),
            peer.GetProperty("lastError").ValueKind == JsonValueKind.String ? peer.GetProperty("lastError").GetString() : null);
    }

    private sealed record PeerView(string? Shipper, bool IsShipping, string? LastError);
}
