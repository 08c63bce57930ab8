using System.Text.Json;
using Spectre.Console;

namespace OrleansCausal.Cli;

/// <summary>Writes results: plain text and Spectre.Console tables for people, JSON for scripts.</summary>
internal sealed class Output(CliEnvironment environment, bool json)
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public bool Json => json;

    public IAnsiConsole Console { get; } = AnsiConsole.Create(new AnsiConsoleSettings
    {
        Out = new AnsiConsoleOutput(environment.Out),
        Ansi = environment.Interactive ? AnsiSupport.Detect : AnsiSupport.No,
        ColorSystem = environment.Interactive ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
        Interactive = environment.Interactive ? InteractionSupport.Detect : InteractionSupport.No,
    });

    public void Line(string text) => environment.Out.WriteLine(text);

    public void Note(string text) => environment.Error.WriteLine(text);

    public void WriteJson(JsonElement element) => environment.Out.WriteLine(JsonSerializer.Serialize(element, Indented));

    public void WriteJsonLine(JsonElement element) => environment.Out.WriteLine(JsonSerializer.Serialize(element));

    /// <summary>Reports a refused or failed request and returns its exit code (1 for 404, 3 otherwise).</summary>
    public int Problem(ApiAnswer answer)
    {
        if (json && answer.Body is { } body)
        {
            environment.Error.WriteLine(JsonSerializer.Serialize(body));
        }
        else
        {
            environment.Error.WriteLine($"error: {answer.Problem}");
        }

        return answer.Status == System.Net.HttpStatusCode.NotFound ? ExitCodes.NotFound : ExitCodes.Refused;
    }

    public void Table(Table table) => Console.Write(table);

    public static string Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) ? value.ValueKind switch
        {
            JsonValueKind.String => value.GetString() ?? "",
            JsonValueKind.Null or JsonValueKind.Undefined => "",
            _ => value.GetRawText(),
        } : "";

    public static string Raw(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) ? value.GetRawText() : "null";
}
