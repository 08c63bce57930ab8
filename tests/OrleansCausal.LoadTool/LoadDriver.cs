using System.Diagnostics;

namespace OrleansCausal.LoadTool;

/// <summary>
/// Closed loop: N concurrent clients, each running the workload's operation back to back (the next starts when the
/// previous has answered); an operation's latency is measured end to end from its actual start.
/// </summary>
internal static class LoadDriver
{
    public static HttpClient NewClient(Uri address, int connections) =>
        new(new SocketsHttpHandler
        {
            MaxConnectionsPerServer = connections,
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
            MeterFactory = ClientMeterFactory.Instance,
        })
        {
            BaseAddress = address,
            Timeout = TimeSpan.FromSeconds(60),
        };

    public static async Task<LatencyRecorder.Summary> RunAsync(Uri address, string pathPrefix, LoadOptions options, CancellationToken cancellationToken)
    {
        using var http = NewClient(address, options.Connections);
        var workload = new Workload(options.Workloads[0], http, pathPrefix, options, runTag: "closed");
        await workload.PrefillAsync(cancellationToken);
        var recorders = Enumerable.Range(0, options.Connections).Select(_ => new LatencyRecorder()).ToArray();
        var errors = 0;
        var stopAt = Stopwatch.GetTimestamp() + (long)((options.Warmup + options.Duration).TotalSeconds * Stopwatch.Frequency);
        var measureFrom = Stopwatch.GetTimestamp() + (long)(options.Warmup.TotalSeconds * Stopwatch.Frequency);
        var workers = recorders.Select((recorder, worker) => Task.Run(async () =>
        {
            for (long i = 0; Stopwatch.GetTimestamp() < stopAt && !cancellationToken.IsCancellationRequested; i++)
            {
                var started = Stopwatch.GetTimestamp();
                bool succeeded;
                try
                {
                    succeeded = await workload.RunAsync(i * options.Connections + worker, cancellationToken);
                }
                catch (HttpRequestException)
                {
                    succeeded = false;
                }

                if (!succeeded)
                {
                    Interlocked.Increment(ref errors);
                }
                else if (started >= measureFrom)
                {
                    recorder.Add(Stopwatch.GetTimestamp() - started);
                }
            }
        }, cancellationToken)).ToArray();
        var cpu = ProcessCpu.MeasureWindowAsync(options.Warmup, options.Duration, cancellationToken);
        await Task.WhenAll(workers);
        return LatencyRecorder.Summarize(recorders, options.Duration, errors) with { CpuTime = await cpu };
    }
}
