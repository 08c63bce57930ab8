using System.CommandLine;
using System.Net;
using System.Text.Json;
using Spectre.Console;

namespace OrleansCausal.Cli;

/// <summary>
/// <c>get</c>, <c>put</c>, <c>delete</c>, <c>siblings</c> and <c>watch</c>. Every read or write keeps the record's
/// returned context token in the session file, and <c>put</c> / <c>delete</c> send the kept token unless told
/// otherwise: <c>--context TOKEN</c> (that token), <c>--blind</c> (none: the write adds a sibling) or
/// <c>--override</c> (<c>If-Match: *</c>: supersede everything the region holds for the record).
/// </summary>
internal static class RecordCommands
{
    public static IEnumerable<Command> Create(GlobalOptions options, CliEnvironment environment)
    {
        var key = new Argument<string>("key") { Description = "The record's key (may contain '/')." };
        var value = new Argument<string>("value") { Description = "The value as JSON (quote strings: '\"text\"'); '-' reads it from standard input." };
        var context = new Option<string?>("--context") { Description = "Send this context token instead of the kept one." };
        var blind = new Option<bool>("--blind") { Description = "Send no context: the write supersedes nothing and may add a sibling." };
        var overrideAll = new Option<bool>("--override") { Description = "Supersede everything the region holds for the record now (If-Match: *)." };
        var interval = new Option<TimeSpan>("--interval") { Description = "How often watch polls.", DefaultValueFactory = _ => TimeSpan.FromSeconds(1) };

        var get = new Command("get", "Read a record: its resolved value (siblings are noted on stderr). Keeps its context.") { key };
        get.SetAction((parse, ct) => GetAsync(parse, options, environment, key, ct));

        var put = new Command("put", "Write a JSON value, causally after the last read or write of the key in this session.") { key, value, context, blind, overrideAll };
        put.SetAction((parse, ct) => WriteAsync(parse, options, environment, key, value, context, blind, overrideAll, ct));

        var delete = new Command("delete", "Delete a record (a tombstone superseding what the context covers).") { key, context, blind, overrideAll };
        delete.SetAction((parse, ct) => WriteAsync(parse, options, environment, key, value: null, context, blind, overrideAll, ct));

        var siblings = new Command("siblings", "List every live sibling of a record (value, dot, region, time). Keeps its context.") { key };
        siblings.SetAction((parse, ct) => SiblingsAsync(parse, options, environment, key, ct));

        var watch = new Command("watch", "Print a record's value each time it changes, until Ctrl+C. Polls the server (--interval); it is not a push feed.") { key, interval };
        watch.SetAction((parse, ct) => WatchAsync(parse, options, environment, key, interval, ct));

        return [get, put, delete, siblings, watch];
    }

    private static async Task<int> GetAsync(ParseResult parse, GlobalOptions options, CliEnvironment environment, Argument<string> keyArgument, CancellationToken ct)
    {
        var (api, output, ns, key) = Prepare(parse, options, environment, keyArgument);
        var answer = await api.GetAsync(ns, key, ct);
        Keep(environment, api, ns, key, answer);
        if (!answer.Ok)
        {
            return output.Problem(answer);
        }

        var body = answer.Body!.Value;
        if (output.Json)
        {
            output.WriteJson(body);
            return ExitCodes.Ok;
        }

        output.Line(Output.Raw(body, "value"));
        NoteSiblings(output, body, key);
        return ExitCodes.Ok;
    }

    private static async Task<int> WriteAsync(
        ParseResult parse, GlobalOptions options, CliEnvironment environment, Argument<string> keyArgument, Argument<string>? value,
        Option<string?> contextOption, Option<bool> blindOption, Option<bool> overrideOption, CancellationToken ct)
    {
        var (api, output, ns, key) = Prepare(parse, options, environment, keyArgument);
        var given = parse.GetValue(contextOption);
        var blind = parse.GetValue(blindOption);
        var overrideAll = parse.GetValue(overrideOption);
        if ((given is not null ? 1 : 0) + (blind ? 1 : 0) + (overrideAll ? 1 : 0) > 1)
        {
            throw new UsageException("--context, --blind and --override exclude each other.");
        }

        var session = new SessionStore(environment.SessionDirectory);
        var context = given ?? (blind || overrideAll ? null : session.Get(SessionStore.KeyOf(api.BaseAddress, ns, key)));
        ApiAnswer answer;
        if (value is null)
        {
            answer = await api.DeleteAsync(ns, key, context, overrideAll, ct);
        }
        else
        {
            answer = await api.PutAsync(ns, key, ReadJson(parse.GetValue(value)!, environment), context, overrideAll, ct);
        }

        Keep(environment, api, ns, key, answer);
        if (!answer.Ok)
        {
            return output.Problem(answer);
        }

        if (value is null)
        {
            if (output.Json)
            {
                output.WriteJsonLine(JsonSerializer.SerializeToElement(new { @namespace = ns, key, deleted = true, context = answer.Context }));
            }
            else
            {
                output.Line($"deleted {ns}/{key}");
            }

            return ExitCodes.Ok;
        }

        var body = answer.Body!.Value;
        if (output.Json)
        {
            output.WriteJson(body);
        }
        else
        {
            output.Line(Output.Raw(body, "value"));
            NoteSiblings(output, body, key);
        }

        return ExitCodes.Ok;
    }

    private static async Task<int> SiblingsAsync(ParseResult parse, GlobalOptions options, CliEnvironment environment, Argument<string> keyArgument, CancellationToken ct)
    {
        var (api, output, ns, key) = Prepare(parse, options, environment, keyArgument);
        var answer = await api.GetAsync(ns, key, ct);
        Keep(environment, api, ns, key, answer);
        if (!answer.Ok)
        {
            return output.Problem(answer);
        }

        var body = answer.Body!.Value;
        if (output.Json)
        {
            output.WriteJson(body.GetProperty("siblings"));
            return ExitCodes.Ok;
        }

        var table = new Table().AddColumns("value", "dot", "region", "written at");
        foreach (var sibling in body.GetProperty("siblings").EnumerateArray())
        {
            table.AddRow(
                Markup.Escape(Output.Raw(sibling, "value")),
                Markup.Escape(Output.Text(sibling, "dot")),
                Markup.Escape(Output.Text(sibling, "region")),
                Markup.Escape(Output.Text(sibling, "writtenAt")));
        }

        output.Table(table);
        return ExitCodes.Ok;
    }

    private static async Task<int> WatchAsync(
        ParseResult parse, GlobalOptions options, CliEnvironment environment, Argument<string> keyArgument, Option<TimeSpan> intervalOption, CancellationToken ct)
    {
        var (api, output, ns, key) = Prepare(parse, options, environment, keyArgument);
        var interval = parse.GetValue(intervalOption);
        if (interval < TimeSpan.FromMilliseconds(100))
        {
            throw new UsageException("--interval must be at least 100ms.");
        }

        output.Note($"watching {ns}/{key} on {api.BaseAddress} (polling every {interval.TotalSeconds:0.###}s; Ctrl+C to stop)");
        string? last = null;
        try
        {
            while (true)
            {
                var answer = await api.GetAsync(ns, key, ct);
                if (answer.Ok || answer.Status == HttpStatusCode.NotFound)
                {
                    var state = answer.Ok ? Output.Raw(answer.Body!.Value, "value") + "|" + answer.Context : "absent|" + answer.Context;
                    if (state != last)
                    {
                        last = state;
                        Report(output, answer, DateTimeOffset.UtcNow);
                    }
                }
                else
                {
                    output.Problem(answer);
                }

                await Task.Delay(interval, ct);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            return ExitCodes.Ok;
        }
    }

    private static void Report(Output output, ApiAnswer answer, DateTimeOffset at)
    {
        if (output.Json)
        {
            output.WriteJsonLine(answer.Ok
                ? answer.Body!.Value
                : JsonSerializer.SerializeToElement(new { found = false, context = answer.Context }));
            return;
        }

        var stamp = at.ToString("HH:mm:ss.fff", System.Globalization.CultureInfo.InvariantCulture);
        if (!answer.Ok)
        {
            output.Line($"{stamp} (no live value)");
            return;
        }

        var siblings = answer.Body!.Value.GetProperty("siblings").GetArrayLength();
        output.Line($"{stamp} {Output.Raw(answer.Body.Value, "value")}" + (siblings > 1 ? $"  ({siblings} siblings)" : ""));
    }

    private static (CausalApi Api, Output Output, string Namespace, string Key) Prepare(
        ParseResult parse, GlobalOptions options, CliEnvironment environment, Argument<string> keyArgument) =>
        (CliApp.CreateApi(parse, options, environment), new Output(environment, parse.GetValue(options.Json)),
            parse.GetValue(options.Namespace)!, parse.GetValue(keyArgument)!);

    /// <summary>Keeps the context the server returned for the record (a 404 may carry one too: a deleted record's).</summary>
    internal static void Keep(CliEnvironment environment, CausalApi api, string ns, string key, ApiAnswer answer)
    {
        if (answer.Context is { Length: > 0 } token && (answer.Ok || answer.Status == HttpStatusCode.NotFound))
        {
            new SessionStore(environment.SessionDirectory).Set(SessionStore.KeyOf(api.BaseAddress, ns, key), token);
        }
    }

    private static void NoteSiblings(Output output, JsonElement body, string key)
    {
        var count = body.GetProperty("siblings").GetArrayLength();
        if (count > 1)
        {
            output.Note($"({count} siblings; the value shown is the namespace resolver's pick — 'orleans-causal siblings {key}' lists them)");
        }
    }

    private static string ReadJson(string text, CliEnvironment environment)
    {
        if (text == "-")
        {
            text = environment.In.ReadToEnd();
        }

        try
        {
            using var _ = JsonDocument.Parse(text);
        }
        catch (JsonException e)
        {
            throw new UsageException($"the value is not JSON ({e.Message}); quote a string, e.g. '\"12F\"'.");
        }

        return text;
    }
}
