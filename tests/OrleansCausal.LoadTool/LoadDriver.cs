using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;

namespace OrleansCausal.LoadTool;

/// <summary>
/// N concurrent clients, each in a loop: read a key, then write it carrying what the read returned (the gateway's
/// Causal-Context; nothing for the raw endpoint). One operation = the read plus the write; its latency is measured
/// end to end.
/// </summary>
internal static class LoadDriver
{
    public const string ContextHeader = "Causal-Context";

    public static async Task<LatencyRecorder.Summary> RunAsync(Uri address, string pathPrefix, LoadOptions options, CancellationToken cancellationToken)
    {
        using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = options.Connections, PooledConnectionLifetime = Timeout.InfiniteTimeSpan };
        using var http = new HttpClient(handler) { BaseAddress = address, Timeout = TimeSpan.FromSeconds(60) };
        var recorders = Enumerable.Range(0, options.Connections).Select(_ => new LatencyRecorder()).ToArray();
        var errors = 0;
        var stopAt = Stopwatch.GetTimestamp() + (long)((options.Warmup + options.Duration).TotalSeconds * Stopwatch.Frequency);
        var measureFrom = Stopwatch.GetTimestamp() + (long)(options.Warmup.TotalSeconds * Stopwatch.Frequency);
        var workers = recorders.Select((recorder, worker) => Task.Run(async () =>
        {
            var keys = new KeyChooser(options.Keys, options.HotKeys, options.HotFraction, seed: worker);
            for (var i = 0; Stopwatch.GetTimestamp() < stopAt && !cancellationToken.IsCancellationRequested; i++)
            {
                var path = pathPrefix + keys.Next();
                var started = Stopwatch.GetTimestamp();
                try
                {
                    string? context = null;
                    using (var read = await http.GetAsync(path, cancellationToken))
                    {
                        if (read.StatusCode is not (HttpStatusCode.OK or HttpStatusCode.NotFound))
                        {
                            Interlocked.Increment(ref errors);
                            continue;
                        }

                        if (read.Headers.TryGetValues(ContextHeader, out var values))
                        {
                            context = values.First();
                        }

                        await read.Content.LoadIntoBufferAsync(cancellationToken);
                    }

                    using var write = new HttpRequestMessage(HttpMethod.Put, path)
                    {
                        Content = new StringContent($"{{\"worker\":{worker},\"n\":{i},\"seat\":\"12F\"}}", Encoding.UTF8),
                    };
                    write.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
                    if (context is not null)
                    {
                        write.Headers.TryAddWithoutValidation(ContextHeader, context);
                    }

                    using var written = await http.SendAsync(write, cancellationToken);
                    await written.Content.LoadIntoBufferAsync(cancellationToken);
                    if (written.StatusCode != HttpStatusCode.OK)
                    {
                        Interlocked.Increment(ref errors);
                        continue;
                    }
                }
                catch (HttpRequestException)
                {
                    Interlocked.Increment(ref errors);
                    continue;
                }

                var ended = Stopwatch.GetTimestamp();
                if (started >= measureFrom)
                {
                    recorder.Add(ended - started);
                }
            }
        }, cancellationToken)).ToArray();
        await Task.WhenAll(workers);
        return LatencyRecorder.Summarize(recorders, options.Duration, errors);
    }
}
