using System.CommandLine;
using System.Net;
using System.Text.Json;
using Spectre.Console;

namespace OrleansCausal.Cli;

/// <summary><c>status</c> (the region's silos and per-peer replication, from <c>GET /v1/status</c>) and
/// <c>resend PEER</c> (the replicator's admin resend). There is no <c>explain</c> yet: the server has no explain API.</summary>
internal static class OperatorCommands
{
    public static IEnumerable<Command> Create(GlobalOptions options, CliEnvironment environment)
    {
        var status = new Command("status", "Show the region's cluster (silos) and, per peer region, the replication backlog and lag.");
        status.SetAction((parse, ct) => StatusAsync(parse, options, environment, ct));

        var peer = new Argument<string>("peer") { Description = "The peer region to resend everything to." };
        var resend = new Command("resend", "Ask this region to resend every record to a peer region (full resend). " +
            "The server only schedules it and reports no progress; follow the peer's backlog with 'status'.") { peer };
        resend.SetAction((parse, ct) => ResendAsync(parse, options, environment, peer, ct));

        return [status, resend];
    }

    private static async Task<int> StatusAsync(ParseResult parse, GlobalOptions options, CliEnvironment environment, CancellationToken ct)
    {
        var api = CliApp.CreateApi(parse, options, environment);
        var output = new Output(environment, parse.GetValue(options.Json));
        var answer = await api.StatusAsync(ct);
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

        output.Line($"region {Output.Text(body, "region")}  replica {Output.Text(body, "replica")}  store {Output.Text(body, "store")}  record grains {Output.Text(body, "recordGrains")}");
        var cluster = body.GetProperty("cluster");
        var silos = new Table().Title($"cluster {Markup.Escape(Output.Text(cluster, "id"))}").AddColumns("silo", "status");
        foreach (var silo in cluster.GetProperty("silos").EnumerateArray())
        {
            silos.AddRow(Markup.Escape(Output.Text(silo, "address")), Markup.Escape(Output.Text(silo, "status")));
        }

        output.Table(silos);
        var peers = body.GetProperty("peers");
        if (peers.GetArrayLength() == 0)
        {
            output.Line("no peer regions configured");
            return ExitCodes.Ok;
        }

        var table = new Table().Title("replication").AddColumns("peer", "backlog (bins)", "lag", "shipping here", "last shipped", "last error");
        foreach (var p in peers.EnumerateArray())
        {
            table.AddRow(
                Markup.Escape(Output.Text(p, "region")),
                Markup.Escape(Output.Text(p, "backlog")),
                Markup.Escape(Output.Text(p, "lag")),
                Markup.Escape(Output.Text(p, "isShipping")),
                Markup.Escape(Output.Text(p, "lastShippedSequence")),
                Markup.Escape(Output.Text(p, "lastError")));
        }

        output.Table(table);
        return ExitCodes.Ok;
    }

    private static async Task<int> ResendAsync(ParseResult parse, GlobalOptions options, CliEnvironment environment, Argument<string> peerArgument, CancellationToken ct)
    {
        var api = CliApp.CreateApi(parse, options, environment);
        var output = new Output(environment, parse.GetValue(options.Json));
        var peer = parse.GetValue(peerArgument)!;

        // The endpoint answers 202 once the resend is scheduled and exposes no progress, so a spinner is all there is
        // to show while the request is in flight.
        ApiAnswer? answer = null;
        await output.Console.Status().Spinner(Spinner.Known.Dots)
            .StartAsync($"asking {api.BaseAddress} to resend everything to {peer}…", async _ => answer = await api.ResendAsync(peer, ct));

        if (!answer!.Ok)
        {
            if (answer.Status == HttpStatusCode.Unauthorized)
            {
                output.Note($"(a resend must come from loopback, or be signed: set {CliEnvironment.ReplicationSecretVariable} to the Replication:Secret)");
            }

            return output.Problem(answer);
        }

        if (output.Json)
        {
            output.WriteJson(answer.Body ?? JsonSerializer.SerializeToElement(new { region = peer, resend = "scheduled" }));
        }
        else
        {
            output.Line($"resend to {peer} scheduled. The server reports no progress for a resend; follow the peer's backlog with 'orleans-causal status'.");
        }

        return ExitCodes.Ok;
    }
}
