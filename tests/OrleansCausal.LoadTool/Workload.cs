using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;

namespace OrleansCausal.LoadTool;

/// <summary>
/// What one operation of a run does, by name:
/// <list type="bullet">
/// <item><c>get-put</c>: GET a key (90 % from the hot set by default), then PUT it carrying the GET's Causal-Context.</item>
/// <item><c>put-fresh</c>: a blind PUT of a key never written before.</item>
/// <item><c>get</c>: a GET of one of the keys written by <see cref="PrefillAsync"/>.</item>
/// <item><c>put-hot</c>: a blind PUT (no context) to one of the hot keys: on the gateway each such record grows to the
/// sibling cap (32) and every response carries all of its siblings.</item>
/// </list>
/// The same operations run against the bare endpoints (which ignore the context).
/// </summary>
internal sealed class Workload(string name, HttpClient http, string pathPrefix, LoadOptions options, string runTag)
{
    public const string ContextHeader = "Causal-Context";
    public static readonly string[] Names = ["get-put", "put-fresh", "get", "put-hot"];

    public string Name => name;

    private int PrefilledKeys => Math.Min(options.Keys, 1_000);

    /// <summary>Writes the keys the <c>get</c> operation reads (nothing for the other operations).</summary>
    public async Task PrefillAsync(CancellationToken cancellationToken)
    {
        if (name != "get")
        {
            return;
        }

        await Parallel.ForAsync(0, PrefilledKeys, new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = cancellationToken }, async (i, token) =>
        {
            if (!await PutAsync(pathPrefix + "get-" + i.ToString(CultureInfo.InvariantCulture), i, context: null, token))
            {
                throw new InvalidOperationException($"Prefilling key get-{i} failed.");
            }
        });
    }

    /// <summary>Runs operation <paramref name="index"/>; true when every response was the expected one.</summary>
    public Task<bool> RunAsync(long index, CancellationToken cancellationToken) => name switch
    {
        "get-put" => GetThenPutAsync(pathPrefix + KeyChooser.ForIndex(index, options.Keys, options.HotKeys, options.HotFraction), index, cancellationToken),
        "put-fresh" => PutAsync(pathPrefix + "fresh-" + runTag + "-" + index.ToString(CultureInfo.InvariantCulture), index, context: null, cancellationToken),
        "get" => GetAsync(pathPrefix + "get-" + (KeyChooser.Mix(index) % (ulong)PrefilledKeys).ToString(CultureInfo.InvariantCulture), cancellationToken),
        "put-hot" => PutAsync(pathPrefix + "hot-" + (KeyChooser.Mix(index) % (ulong)options.HotKeys).ToString(CultureInfo.InvariantCulture), index, context: null, cancellationToken),
        _ => throw new ArgumentException($"Unknown workload '{name}'; expected one of {string.Join(", ", Names)}."),
    };

    private async Task<bool> GetAsync(string path, CancellationToken cancellationToken)
    {
        using var read = await http.GetAsync(path, cancellationToken);
        await read.Content.LoadIntoBufferAsync(cancellationToken);
        return read.StatusCode == HttpStatusCode.OK;
    }

    private async Task<bool> GetThenPutAsync(string path, long index, CancellationToken cancellationToken)
    {
        string? context = null;
        using (var read = await http.GetAsync(path, cancellationToken))
        {
            if (read.StatusCode is not (HttpStatusCode.OK or HttpStatusCode.NotFound))
            {
                return false;
            }

            if (read.Headers.TryGetValues(ContextHeader, out var values))
            {
                context = values.First();
            }

            await read.Content.LoadIntoBufferAsync(cancellationToken);
        }

        return await PutAsync(path, index, context, cancellationToken);
    }

    private async Task<bool> PutAsync(string path, long index, string? context, CancellationToken cancellationToken)
    {
        using var write = new HttpRequestMessage(HttpMethod.Put, path)
        {
            Content = new StringContent(string.Create(CultureInfo.InvariantCulture, $"{{\"n\":{index},\"seat\":\"12F\"}}"), Encoding.UTF8),
        };
        write.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        if (context is not null)
        {
            write.Headers.TryAddWithoutValidation(ContextHeader, context);
        }

        using var written = await http.SendAsync(write, cancellationToken);
        await written.Content.LoadIntoBufferAsync(cancellationToken);
        return written.StatusCode == HttpStatusCode.OK;
    }
}
