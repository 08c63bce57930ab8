using System.CommandLine;
using System.Net.Http.Headers;

namespace OrleansCausal.Cli;

/// <summary>
/// <c>orleans-causal</c>: the command line. Exit codes in <see cref="ExitCodes"/>: a command line that does not parse
/// exits 2 before anything is sent.
/// </summary>
public static class CliApp
{
    public static async Task<int> RunAsync(string[] args, CliEnvironment environment, CancellationToken cancellationToken = default)
    {
        var options = new GlobalOptions();
        var root = new RootCommand("orleans-causal: read and write OrleansCausal records, and watch a region's cluster and replication.");
        options.AddTo(root);
        foreach (var command in RecordCommands.Create(options, environment).Append(ExplainCommand.Create(options, environment)).Concat(OperatorCommands.Create(options, environment)))
        {
            root.Subcommands.Add(command);
        }

        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var error in parse.Errors)
            {
                await environment.Error.WriteLineAsync($"error: {error.Message}");
            }

            await environment.Error.WriteLineAsync("Run 'orleans-causal --help' for usage.");
            return ExitCodes.BadUsage;
        }

        var invocation = new InvocationConfiguration { Output = environment.Out, Error = environment.Error, EnableDefaultExceptionHandler = false };
        try
        {
            return await parse.InvokeAsync(invocation, cancellationToken);
        }
        catch (UsageException e)
        {
            await environment.Error.WriteLineAsync($"error: {e.Message}");
            return ExitCodes.BadUsage;
        }
        catch (HttpRequestException e)
        {
            await environment.Error.WriteLineAsync($"error: cannot reach the server: {e.Message}");
            return ExitCodes.Refused;
        }
        catch (TaskCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            await environment.Error.WriteLineAsync($"error: the server did not answer in time ({e.Message})");
            return ExitCodes.Refused;
        }
    }

    /// <summary>The HTTP client for the chosen server: <c>--url</c>, else <c>ORLEANSCAUSAL_URL</c>, else the default;
    /// <c>ORLEANSCAUSAL_API_KEY</c> as a bearer token.</summary>
    internal static CausalApi CreateApi(ParseResult parse, GlobalOptions options, CliEnvironment environment)
    {
        var text = parse.GetValue(options.Url) ?? environment.Variable(CliEnvironment.UrlVariable) ?? CliEnvironment.DefaultUrl;
        if (!Uri.TryCreate(text, UriKind.Absolute, out var url) || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps))
        {
            throw new UsageException($"'{text}' is not an http(s) URL (--url or {CliEnvironment.UrlVariable}).");
        }

        var http = environment.Handler is { } handler ? new HttpClient(handler, disposeHandler: false) : new HttpClient();
        http.BaseAddress = url;
        http.Timeout = TimeSpan.FromSeconds(30);
        if (environment.Variable(CliEnvironment.ApiKeyVariable) is { Length: > 0 } key)
        {
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }

        return new CausalApi(http, environment.Variable(CliEnvironment.ReplicationSecretVariable));
    }
}

/// <summary>Options every command accepts.</summary>
internal sealed class GlobalOptions
{
    public Option<string?> Url { get; } = new("--url") { Description = $"Server base URL (default: ${CliEnvironment.UrlVariable}, else {CliEnvironment.DefaultUrl}).", Recursive = true };

    public Option<bool> Json { get; } = new("--json") { Description = "Print JSON for scripts (errors as problem details on stderr).", Recursive = true };

    public Option<string> Namespace { get; } = new("--namespace", "-n") { Description = "The record's namespace.", DefaultValueFactory = _ => "default", Recursive = true };

    public void AddTo(RootCommand root)
    {
        root.Options.Add(Url);
        root.Options.Add(Json);
        root.Options.Add(Namespace);
    }
}

/// <summary>A command line that parses but makes no sense (conflicting options, a value that is not JSON).</summary>
internal sealed class UsageException(string message) : Exception(message);
