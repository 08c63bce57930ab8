using System.Diagnostics;
using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using OrleansCausal.Runtime.Tests.Support;
using static OrleansCausal.Runtime.Tests.Support.KvApi;

namespace OrleansCausal.Runtime.Tests.Gateway;

/// <summary>The silo executable as a child process: SIGTERM while writes are in flight exits cleanly (code 0), and
/// every acknowledged write is in the SQLite file when a silo starts on it again.</summary>
public sealed partial class SigtermTests
{
    [Fact]
    public async Task Sigterm_DuringWrites_ExitsCleanlyAndLosesNothingAcknowledged()
    {
        var path = TempFiles.NewDatabasePath("sigterm");
        using var process = StartSilo(path);
        var stdout = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var listening = new TaskCompletionSource<Uri>(TaskCreationOptions.RunContinuationsAsynchronously);
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                return;
            }

            stdout.Enqueue(e.Data);
            if (ListeningOn().Match(e.Data) is { Success: true } match)
            {
                listening.TrySetResult(new Uri(match.Groups[1].Value));
            }
        };
        process.ErrorDataReceived += (_, e) => stdout.Enqueue("stderr: " + e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        Uri address;
        try
        {
            address = await listening.Task.WaitAsync(TimeSpan.FromSeconds(60));
        }
        catch (TimeoutException)
        {
            process.Kill();
            throw new TimeoutException($"start-up: the silo did not log 'Now listening on' within 60 s; output:\n{string.Join('\n', stdout)}");
        }

        var acknowledged = new System.Collections.Concurrent.ConcurrentBag<(string Dot, string Value)>();
        var firstAcknowledged = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var writers = Enumerable.Range(0, 8).Select(w => Task.Run(async () =>
        {
            using var client = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(30) };
            for (var i = 0; i < 100_000; i++)
            {
                var value = $"\"w{w}-{i}\"";
                try
                {
                    using var response = await client.SendAsync(Put("/v1/kv/default/term", value));
                    if (response.StatusCode != HttpStatusCode.OK)
                    {
                        return;
                    }

                    var record = JsonSerializer.Deserialize<KvApi.Record>(await response.Content.ReadAsStringAsync(), JsonSerializerOptions.Web)!;
                    acknowledged.Add((record.Siblings.Single(s => s.Value.GetRawText() == value).Dot, value));
                    firstAcknowledged.TrySetResult();
                }
                catch (Exception e) when (e is HttpRequestException or IOException or TaskCanceledException)
                {
                    return;
                }
            }
        })).ToArray();

        await firstAcknowledged.Task.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(0, SendSignal(process.Id, 15));
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        await Task.WhenAll(writers).WaitAsync(TimeSpan.FromSeconds(60));

        Assert.True(process.ExitCode == 0, $"shutdown: expected exit code 0 after SIGTERM, got {process.ExitCode}; output:\n{string.Join('\n', stdout)}");
        await using var restarted = await TestSilo.StartAsync(new Dictionary<string, string?> { ["Store"] = "sqlite:" + path, ["Limits:MaxSiblings"] = "1024" });
        var after = await restarted.Client.SendForRecordAsync(Get("/v1/kv/default/term"));
        var present = after.Siblings.Select(s => (s.Dot, s.Value.GetRawText())).ToHashSet();
        var missing = acknowledged.Where(a => !present.Contains(a)).ToArray();
        Assert.NotEmpty(acknowledged);
        Assert.True(missing.Length == 0, $"{missing.Length} of {acknowledged.Count} acknowledged writes are missing after SIGTERM, e.g. {string.Join(", ", missing.Take(3))}");
    }

    private static Process StartSilo(string databasePath)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "orleans-causal-silo.dll");
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(databasePath)!,
        };
        foreach (var arg in new[]
                 {
                     dll, "--Region", "A", "--Urls", "http://127.0.0.1:0", "--Store", "sqlite:" + databasePath,
                     "--Context:SigningKey", TestSilo.SigningKey, "--Limits:MaxSiblings", "1024",
                 })
        {
            info.ArgumentList.Add(arg);
        }

        Directory.CreateDirectory(Path.GetDirectoryName(databasePath)!);
        return Process.Start(info) ?? throw new InvalidOperationException("start-up: could not start the silo process.");
    }

    private static int SendSignal(int pid, int signal)
    {
        using var kill = Process.Start(new ProcessStartInfo("kill", $"-{signal} {pid}") { UseShellExecute = false })!;
        kill.WaitForExit();
        return kill.ExitCode;
    }

    [GeneratedRegex(@"Now listening on: (http://\S+)")]
    private static partial Regex ListeningOn();
}
