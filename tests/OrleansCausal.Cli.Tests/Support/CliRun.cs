namespace OrleansCausal.Cli.Tests.Support;

/// <summary>Runs the CLI's entry point in-process against a silo, with its own session directory and environment.</summary>
public sealed class CliRun(Uri url, string sessionDirectory, IReadOnlyDictionary<string, string>? variables = null)
{
    public string SessionDirectory => sessionDirectory;

    public async Task<(int Exit, string Out, string Error)> RunAsync(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var environment = new CliEnvironment(output, error, new StringReader(""), Variable, sessionDirectory);
        var exit = await CliApp.RunAsync(args, environment);
        return (exit, output.ToString(), error.ToString());
    }

    private string? Variable(string name) => name switch
    {
        CliEnvironment.UrlVariable => url.ToString(),
        _ => variables is not null && variables.TryGetValue(name, out var value) ? value : null,
    };
}
