namespace OrleansCausal.Cli;

/// <summary>What the CLI takes from its surroundings: output streams, environment variables and the directory of its
/// session file. The process uses <see cref="FromProcess"/>; tests pass their own (string writers, a temp directory).</summary>
public sealed record CliEnvironment(TextWriter Out, TextWriter Error, TextReader In, Func<string, string?> Variable, string SessionDirectory)
{
    public const string UrlVariable = "ORLEANSCAUSAL_URL";
    public const string ApiKeyVariable = "ORLEANSCAUSAL_API_KEY";
    public const string ReplicationSecretVariable = "ORLEANSCAUSAL_REPLICATION_SECRET";
    public const string SessionDirectoryVariable = "ORLEANSCAUSAL_SESSION_DIR";
    public const string DefaultUrl = "http://127.0.0.1:5080";

    /// <summary>The HTTP handler to use (tests may inject one); null for the default.</summary>
    public HttpMessageHandler? Handler { get; init; }

    /// <summary>Whether the output is a terminal (spinners and colours); false for redirected output and tests.</summary>
    public bool Interactive { get; init; }

    public static CliEnvironment FromProcess()
    {
        var directory = Environment.GetEnvironmentVariable(SessionDirectoryVariable);
        if (string.IsNullOrEmpty(directory))
        {
            directory = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".orleans-causal");
        }

        return new CliEnvironment(Console.Out, Console.Error, Console.In, Environment.GetEnvironmentVariable, directory)
        {
            Interactive = !Console.IsOutputRedirected,
        };
    }
}
