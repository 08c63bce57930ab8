using System.CommandLine;
using System.Text.Json;
using Spectre.Console;

namespace OrleansCausal.Cli;

/// <summary>
/// <c>explain NAMESPACE KEY</c>: the silo's <c>GET /v1/explain/{namespace}/{key}</c> — every bin, why each pair of bins
/// is concurrent, what a write with the current context would supersede, prune or keep, and the resolver's choice.
/// Sends the context kept for the key in this session (or <c>--context TOKEN</c>), and keeps the returned one, like <c>get</c>.
/// </summary>
internal static class ExplainCommand
{
    public static Command Create(GlobalOptions options, CliEnvironment environment)
    {
        var ns = new Argument<string>("namespace") { Description = "The record's namespace." };
        var key = new Argument<string>("key") { Description = "The record's key (may contain '/')." };
        var context = new Option<string?>("--context") { Description = "Send this context token instead of the kept one." };

        var explain = new Command("explain", "Explain a record: its bins, why siblings are concurrent, what a write would supersede, and the resolver's choice. Keeps its context.")
        {
            ns, key, context,
        };
        explain.SetAction((parse, ct) => ExplainAsync(parse, options, environment, ns, key, context, ct));
        return explain;
    }

    private static async Task<int> ExplainAsync(
        ParseResult parse, GlobalOptions options, CliEnvironment environment, Argument<string> nsArgument, Argument<string> keyArgument,
        Option<string?> contextOption, CancellationToken ct)
    {
        var api = CliApp.CreateApi(parse, options, environment);
        var output = new Output(environment, parse.GetValue(options.Json));
        var ns = parse.GetValue(nsArgument)!;
        var key = parse.GetValue(keyArgument)!;
        var given = parse.GetValue(contextOption);
        var context = given ?? new SessionStore(environment.SessionDirectory).Get(SessionStore.KeyOf(api.BaseAddress, ns, key));

        var answer = await api.ExplainAsync(ns, key, context, ct);
        RecordCommands.Keep(environment, api, ns, key, answer);
        if (!answer.Ok)
        {
            return output.Problem(answer);
        }

        if (output.Json)
        {
            output.Line(answer.RawBody);
            return ExitCodes.Ok;
        }

        Render(output, answer.Body!.Value, context is not null);
        return ExitCodes.Ok;
    }

    private static void Render(Output output, JsonElement body, bool sentContext)
    {
        output.Line($"{Output.Text(body, "namespace")}/{Output.Text(body, "key")}  resolver {Output.Text(body, "resolver")}, " +
            $"max siblings {Output.Text(body, "maxSiblings")}, clock {Vector(body.GetProperty("clock"))}");

        var bins = body.GetProperty("bins");
        if (bins.GetArrayLength() == 0)
        {
            output.Line("no bins (the record was never written here)");
        }
        else
        {
            var withWriter = bins.EnumerateArray().Any(b => b.TryGetProperty("writer", out var w) && w.ValueKind == JsonValueKind.String);
            var table = new Table().AddColumns("dot", "value");
            if (withWriter)
            {
                table.AddColumn("writer");
            }

            table.AddColumns("written at", "context");
            foreach (var bin in bins.EnumerateArray())
            {
                var value = bin.TryGetProperty("tombstone", out var t) && t.ValueKind == JsonValueKind.True ? "(tombstone)" : Output.Raw(bin, "value");
                var cells = new List<string> { Output.Text(bin, "dot"), value };
                if (withWriter)
                {
                    cells.Add(Output.Text(bin, "writer"));
                }

                cells.Add(Output.Text(bin, "writtenAt"));
                cells.Add(Vector(bin.GetProperty("context")));
                table.AddRow([.. cells.Select(Markup.Escape)]);
            }

            output.Table(table);
        }

        var pairs = body.GetProperty("pairs");
        if (pairs.GetArrayLength() > 0)
        {
            output.Line("why both are kept:");
            foreach (var pair in pairs.EnumerateArray())
            {
                var concurrent = pair.TryGetProperty("concurrent", out var c) && c.ValueKind == JsonValueKind.True;
                output.Line($"  {Output.Text(pair, "first")} {(concurrent ? "||" : "vs")} {Output.Text(pair, "second")}: {Output.Text(pair, "reason")}");
            }

            if (body.TryGetProperty("omittedPairs", out var omitted) && omitted.TryGetInt32(out var count) && count > 0)
            {
                output.Line($"  ({count} more pairs omitted)");
            }
        }

        var write = body.GetProperty("write");
        output.Line($"a write with {(sentContext ? "the current context" : "the record's own context")} {Vector(write.GetProperty("context"))} " +
            $"(dot {Output.Text(write, "nextDot")}) would:");
        output.Line($"  supersede: {Dots(write.GetProperty("supersedes"))}");
        output.Line($"  prune:     {Dots(write.GetProperty("prunes"))}");
        output.Line($"  keep:      {Dots(write.GetProperty("keeps"))}");

        var choice = body.GetProperty("choice");
        var dot = Output.Text(choice, "dot");
        output.Line(dot.Length == 0
            ? $"resolver's choice: none — {Output.Text(choice, "reason")}"
            : $"resolver's choice: {dot} = {Output.Raw(choice, "value")} — {Output.Text(choice, "reason")}");
    }

    private static string Vector(JsonElement entries) =>
        "{" + string.Join(", ", entries.EnumerateArray().Select(e => $"{Output.Text(e, "replica")}:{Output.Text(e, "counter")}")) + "}";

    private static string Dots(JsonElement dots) =>
        dots.GetArrayLength() == 0 ? "(none)" : string.Join(", ", dots.EnumerateArray().Select(d => d.GetString()));
}
