using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace OrleansCausal.Replication.Tests.TestCluster;

/// <summary>
/// One in-process HTTP relay (Kestrel on 127.0.0.1, OS-assigned port) that carries every replication link of a
/// test cluster: region A's peer URL for B is <c>{proxy}/link/A/B</c>. It forwards to a live silo of the target
/// region (silos may restart on new ports) and applies the link's <see cref="LinkFaults"/>. Late deliveries
/// (duplicates, reordered requests) are tracked so <see cref="WhenIdleAsync"/> can wait for them.
/// </summary>
public sealed class LinkProxy : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly Func<string, IReadOnlyList<Uri>> _targets;
    private readonly ConcurrentDictionary<(string, string), LinkFaults> _links = new();
    private readonly HttpClient _forward = new(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromSeconds(10) }) { Timeout = TimeSpan.FromSeconds(30) };
    private readonly Random _random;
    private readonly object _randomLock = new();
    private readonly ConcurrentDictionary<Task, byte> _late = new();

    private LinkProxy(WebApplication app, Func<string, IReadOnlyList<Uri>> targets, int seed)
    {
        _app = app;
        _targets = targets;
        _random = new Random(seed);
    }

    public Uri BaseAddress { get; private set; } = null!;

    public static async Task<LinkProxy> StartAsync(Func<string, IReadOnlyList<Uri>> targets, int seed)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var proxy = new LinkProxy(app, targets, seed);
        app.Map("/link/{from}/{to}/{**rest}", proxy.HandleAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        proxy.BaseAddress = new Uri(address);
        return proxy;
    }

    public LinkFaults Link(string from, string to) => _links.GetOrAdd((from, to), static k => new LinkFaults(k.Item1, k.Item2));

    public IEnumerable<LinkFaults> Links => _links.Values;

    public Uri PeerUrl(string from, string to) => new(BaseAddress, $"link/{from}/{to}");

    /// <summary>Completes when no late delivery (duplicate or reordered request) is pending.</summary>
    public async Task WhenIdleAsync()
    {
        while (!_late.IsEmpty)
        {
            await Task.WhenAll(_late.Keys);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        _forward.Dispose();
    }

    private async Task HandleAsync(HttpContext context, string from, string to, string? rest)
    {
        var link = Link(from, to);
        Interlocked.Increment(ref link.Requests);
        using var buffer = new MemoryStream();
        await context.Request.Body.CopyToAsync(buffer, context.RequestAborted);
        var request = new Captured(context.Request.Method, "/" + rest, buffer.ToArray(),
            context.Request.Headers.Where(h => h.Key.StartsWith("X-Replication-", StringComparison.OrdinalIgnoreCase) || h.Key == "Content-Type")
                .ToDictionary(h => h.Key, h => h.Value.ToString()));

        if (link.IsCut)
        {
            context.Abort();
            return;
        }

        if (CarriesBins(request) && link.TryHold(() => DeliverLateAsync(link, request)))
        {
            context.Response.StatusCode = StatusCodes.Status200OK;
            await context.Response.WriteAsJsonAsync(new { added = 0, appliedThrough = 0 });
            return;
        }

        var (delay, duplicate, reorder) = Roll(link);
        if (delay > TimeSpan.Zero)
        {
            await Task.Delay(delay, context.RequestAborted);
        }

        if (reorder)
        {
            // Lie: acknowledge now, deliver later (after whatever the sender ships next).
            Later(link, request, TimeSpan.FromMilliseconds(NextInt(20, 400)));
            context.Response.StatusCode = StatusCodes.Status200OK;
            await context.Response.WriteAsJsonAsync(new { added = 0, appliedThrough = 0 });
            return;
        }

        using var response = await ForwardAsync(to, request, context.RequestAborted);
        if (response is null)
        {
            context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            return;
        }

        if ((int)response.StatusCode == StatusCodes.Status409Conflict)
        {
            Interlocked.Increment(ref link.Gaps);
        }

        context.Response.StatusCode = (int)response.StatusCode;
        foreach (var header in response.Headers.Concat(response.Content.Headers))
        {
            if (header.Key is "Transfer-Encoding" or "Content-Length")
            {
                continue;
            }

            context.Response.Headers[header.Key] = header.Value.ToArray();
        }

        await response.Content.CopyToAsync(context.Response.Body, context.RequestAborted);
        if (duplicate)
        {
            Later(link, request, TimeSpan.FromMilliseconds(NextInt(10, 300)));
        }
    }

    private static bool CarriesBins(Captured request)
    {
        try
        {
            return request.Path.EndsWith("/batches", StringComparison.Ordinal) && OrleansCausal.Replication.Wire.BatchCodec.DecodeBatch(request.Body).Bins.Count > 0;
        }
        catch (OrleansCausal.Replication.Wire.BatchFormatException)
        {
            return false;
        }
    }

    private async Task DeliverLateAsync(LinkFaults link, Captured request)
    {
        using var response = await ForwardAsync(link.To, request, CancellationToken.None);
        if (response is not null && (int)response.StatusCode == StatusCodes.Status409Conflict)
        {
            Interlocked.Increment(ref link.Gaps);
        }
    }

    private void Later(LinkFaults link, Captured request, TimeSpan after)
    {
        Task? task = null;
        task = Task.Run(async () =>
        {
            try
            {
                await Task.Delay(after);
                if (!link.IsCut)
                {
                    using var response = await ForwardAsync(link.To, request, CancellationToken.None);
                    if (response is not null && (int)response.StatusCode == StatusCodes.Status409Conflict)
                    {
                        Interlocked.Increment(ref link.Gaps);
                    }
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                // A late copy lost on the way: exactly what a network does.
            }
            finally
            {
                _late.TryRemove(task!, out _);
            }
        });
        _late.TryAdd(task, 0);
    }

    private async Task<HttpResponseMessage?> ForwardAsync(string region, Captured request, CancellationToken cancellationToken)
    {
        var targets = _targets(region);
        if (targets.Count == 0)
        {
            return null;
        }

        var target = targets[NextInt(0, targets.Count)];
        var message = new HttpRequestMessage(new HttpMethod(request.Method), new Uri(target, request.Path)) { Content = new ByteArrayContent(request.Body) };
        foreach (var (name, value) in request.Headers)
        {
            if (!message.Headers.TryAddWithoutValidation(name, value))
            {
                message.Content.Headers.TryAddWithoutValidation(name, value);
            }
        }

        try
        {
            return await _forward.SendAsync(message, cancellationToken);
        }
        catch (HttpRequestException)
        {
            return null;
        }
    }

    private (TimeSpan Delay, bool Duplicate, bool Reorder) Roll(LinkFaults link)
    {
        lock (_randomLock)
        {
            var delay = link.MaxDelay > TimeSpan.Zero ? TimeSpan.FromMilliseconds(_random.NextDouble() * link.MaxDelay.TotalMilliseconds) : TimeSpan.Zero;
            return (delay, _random.NextDouble() < link.DuplicateProbability, _random.NextDouble() < link.ReorderProbability);
        }
    }

    private int NextInt(int min, int max)
    {
        lock (_randomLock)
        {
            return _random.Next(min, max);
        }
    }

    private sealed record Captured(string Method, string Path, byte[] Body, Dictionary<string, string> Headers);
}
