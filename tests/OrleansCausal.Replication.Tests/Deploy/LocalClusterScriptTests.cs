using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using OrleansCausal.Replication.Tests.TestCluster;
using Xunit.Abstractions;

namespace OrleansCausal.Replication.Tests.Deploy;

/// <summary>Runs deploy/local-cluster.sh end to end: two silo processes on loopback ports, replication between
/// them over HTTP with the generated shared secrets, then a clean stop.</summary>
public sealed class LocalClusterScriptTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task LocalClusterScript_StartTwoRegions_ReplicatesBothWaysAndStopsCleanly()
    {
        var repo = FindRepository();
        var configuration = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent!.Name;
        var silo = Path.Combine(repo, "silo", "OrleansCausal.Silo", "bin", configuration, "net10.0", "orleans-causal-silo.dll");
        Assert.True(File.Exists(silo), $"The silo must be built next to the tests: {silo} is missing.");
        var data = Path.Combine(Path.GetTempPath(), "oc-local-cluster-" + Guid.NewGuid().ToString("n")[..8]);
        var ports = new[] { FreePort(), FreePort() };
        var common = $"--regions A,B --data {data} --ports {ports[0]},{ports[1]}";
        try
        {
            await RunScriptAsync(repo, $"start {common} --silo {silo}");
            using var a = new KvClient(new Uri($"http://127.0.0.1:{ports[0]}/"));
            using var b = new KvClient(new Uri($"http://127.0.0.1:{ports[1]}/"));

            var written = await a.PutAsync("deploy", "greeting", "\"hello from A\"", context: null);
            var atB = await EventuallyAsync(() => b.GetAsync("deploy", "greeting"), r => r.Found, "A's write to reach B");
            Assert.Equal(["\"hello from A\""], atB.Values);
            await b.PutAsync("deploy", "greeting", "\"B overwrites\"", atB.Context);
            var atA = await EventuallyAsync(() => a.GetAsync("deploy", "greeting"), r => r.Values.SequenceEqual(["\"B overwrites\""]), "B's overwrite to reach A");
            Assert.Single(atA.Siblings);
            Assert.NotNull(written.Context);

            using var http = new HttpClient();
            using var unsigned = await http.PostAsync($"http://127.0.0.1:{ports[0]}/v1/replication/batches", new ByteArrayContent([1, 2, 3]));
            Assert.Equal(HttpStatusCode.Unauthorized, unsigned.StatusCode);
            var status = JsonDocument.Parse(await http.GetStringAsync($"http://127.0.0.1:{ports[0]}/v1/status"));
            var peer = status.RootElement.GetProperty("peers").EnumerateArray().Single();
            Assert.Equal("B", peer.GetProperty("region").GetString());
            Assert.Equal(1, peer.GetProperty("lastShippedSequence").GetInt64());
        }
        finally
        {
            await RunScriptAsync(repo, $"stop {common}");
        }

        Assert.Empty(Directory.GetFiles(Path.Combine(data, "run")));
        foreach (var port in ports)
        {
            using var probe = new TcpClient();
            await Assert.ThrowsAnyAsync<SocketException>(() => probe.ConnectAsync(IPAddress.Loopback, port));
        }

        Directory.Delete(data, recursive: true);
    }

    private static async Task<KvRead> EventuallyAsync(Func<Task<KvRead>> read, Func<KvRead, bool> done, string what)
    {
        var deadline = DateTime.UtcNow + Deadline;
        KvRead last;
        while (!done(last = await read()))
        {
            Assert.True(DateTime.UtcNow < deadline, $"Timed out waiting for {what}; last read {last}.");
            await Task.Delay(50);
        }

        return last;
    }

    private async Task RunScriptAsync(string repo, string arguments)
    {
        var start = new ProcessStartInfo("bash", $"{Path.Combine(repo, "deploy", "local-cluster.sh")} {arguments}")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = repo,
        };
        start.Environment.Remove("OC_SIGNING_KEY");
        start.Environment.Remove("OC_REPLICATION_SECRET");
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(Deadline);
        await process.WaitForExitAsync(timeout.Token);
        output.WriteLine($"$ local-cluster.sh {arguments}{Environment.NewLine}{await stdout}{await stderr}");
        Assert.True(process.ExitCode == 0, $"local-cluster.sh {arguments} exited with {process.ExitCode}: {await stderr}");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string FindRepository()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "OrleansCausal.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"No OrleansCausal.sln above {AppContext.BaseDirectory}.");
    }
}
