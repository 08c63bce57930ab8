using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.RegularExpressions;

namespace OrleansCausal.Runtime.Tests.Support;

/// <summary>
/// The silo executable (<c>dotnet orleans-causal-silo.dll</c>, built next to the tests) as a child process, with its
/// HTTP address learnt from the "Now listening on" line it logs and the tail of its stdout/stderr kept for failure
/// messages. <see cref="Kill"/> is <c>kill -9</c> (SIGKILL on Linux); dispose kills the process if it still runs.
/// </summary>
public sealed partial class SiloProcess : IAsyncDisposable
{
    private const int TailLines = 200;
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _tail;

    private SiloProcess(string name, IReadOnlyList<string> arguments, Process process, Uri address, ConcurrentQueue<string> tail)
    {
        Name = name;
        Arguments = arguments;
        _process = process;
        _tail = tail;
        Address = address;
        Client = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(30) };
    }

    public string Name { get; }

    /// <summary>The arguments it was started with (to start it again the same way).</summary>
    public IReadOnlyList<string> Arguments { get; }

    public Uri Address { get; }

    /// <summary>A client for this silo; requests time out after 30 s.</summary>
    public HttpClient Client { get; }

    public bool HasExited => _process.HasExited;

    /// <summary>Starts the silo with <paramref name="arguments"/> (plus <c>--Urls http://127.0.0.1:0</c>) and waits for
    /// Kestrel to listen, which happens after the Orleans silo has started (joined its cluster).</summary>
    public static async Task<SiloProcess> StartAsync(string name, IReadOnlyList<string> arguments, string workingDirectory)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory,
        };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "orleans-causal-silo.dll"));
        foreach (var argument in arguments.Concat(["--Urls", "http://127.0.0.1:0"]))
        {
            info.ArgumentList.Add(argument);
        }

        Directory.CreateDirectory(workingDirectory);
        var process = Process.Start(info) ?? throw new InvalidOperationException($"start-up of {name}: could not start the silo process.");
        var tail = new ConcurrentQueue<string>();
        var listening = new TaskCompletionSource<Uri>(TaskCreationOptions.RunContinuationsAsynchronously);
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                return;
            }

            Remember(tail, e.Data);
            if (ListeningOn().Match(e.Data) is { Success: true } match)
            {
                listening.TrySetResult(new Uri(match.Groups[1].Value));
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                Remember(tail, "stderr: " + e.Data);
            }
        };
        process.Exited += (_, _) => listening.TrySetException(new InvalidOperationException("the process exited"));
        process.EnableRaisingEvents = true;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        try
        {
            var address = await listening.Task.WaitAsync(StartTimeout);
            return new SiloProcess(name, arguments, process, address, tail);
        }
        catch (Exception e) when (e is TimeoutException or InvalidOperationException)
        {
            KillQuietly(process);
            var output = string.Join('\n', tail);
            process.Dispose();
            throw new TimeoutException($"start-up of {name}: no 'Now listening on' within {StartTimeout.TotalSeconds:0} s ({e.Message}); output:\n{output}");
        }
    }

    /// <summary><c>kill -9</c>: the process gets no chance to leave its cluster or close its connections.</summary>
    public async Task KillAsync()
    {
        _process.Kill();
        await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
    }

    /// <summary>SIGTERM, then waits for the process to exit (its output is complete afterwards); returns the exit code.</summary>
    public async Task<int> StopAsync()
    {
        using (var kill = Process.Start(new ProcessStartInfo("kill", $"-TERM {_process.Id}") { UseShellExecute = false })!)
        {
            await kill.WaitForExitAsync();
        }

        await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        return _process.ExitCode;
    }

    /// <summary>Every line the process wrote that is still kept (the last few hundred).</summary>
    public IReadOnlyList<string> Output => [.. _tail];

    /// <summary>The last lines the process wrote, for failure messages.</summary>
    public string OutputTail(int lines = 60) =>
        $"--- last {lines} lines of {Name} ({Address}) ---\n" + string.Join('\n', _tail.TakeLast(lines));

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        KillQuietly(_process);
        try
        {
            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        }
        catch (TimeoutException)
        {
        }

        _process.Dispose();
    }

    private static void Remember(ConcurrentQueue<string> tail, string line)
    {
        tail.Enqueue(line);
        while (tail.Count > TailLines)
        {
            tail.TryDequeue(out _);
        }
    }

    private static void KillQuietly(Process process)
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
    }

    [GeneratedRegex(@"Now listening on: (http://\S+)")]
    private static partial Regex ListeningOn();
}
