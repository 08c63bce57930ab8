using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Trace;
using OrleansCausal.Cli.Tests.Support;
using OrleansCausal.Gateway.Hosting;
using OrleansCausal.Gateway.Auth;
using OrleansCausal.Gateway.Operations;
using YamlDotNet.RepresentationModel;
using OrleansCausal.Tests.Shared;

namespace OrleansCausal.Cli.Tests;

/// <summary>A silo with tracing on (an in-memory exporter), a peer region B that is down (so replication metrics
/// exist) and a namespace capped at 2 siblings (so prunes happen).</summary>
public sealed class TelemetrySiloFixture : IAsyncLifetime
{
    public const string SigningKey = "cli-tests-signing-key-0123456789abcdef";

    public SpanCollection Spans { get; } = new();

    public LoopbackSilo Silo { get; private set; } = null!;

    public async Task InitializeAsync() => Silo = await LoopbackSilo.StartAsync(
        SigningKey,
        new Dictionary<string, string?>
        {
            ["Telemetry:Traces"] = "true",
            ["Dashboard:Enabled"] = "true",
            ["Peers:B"] = "http://127.0.0.1:1",
            ["Namespaces:capped:MaxSiblings"] = "2",
        },
        services => services.ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddInMemoryExporter(Spans)));

    public async Task DisposeAsync() => await Silo.DisposeAsync();
}

public sealed class TelemetryTests(TelemetrySiloFixture fixture) : IClassFixture<TelemetrySiloFixture>
{
    /// <summary>The project's metric names in Prometheus form (README "Operations").</summary>
    public static readonly string[] ProjectMetrics =
    [
        "orleans_causal_siblings_at_write_bucket",
        "orleans_causal_siblings_pruned_total",
        "orleans_causal_record_grains_activated_total",
        "orleans_causal_store_errors_total",
        "orleans_causal_replication_backlog",
        "orleans_causal_replication_backlog_age_seconds",
        "orleans_causal_replication_ship_failures_total",
    ];

    [Fact]
    public async Task Metrics_AfterTraffic_CarryTheProjectsAndFrameworkMetrics()
    {
        var text = await ScrapeAfterTrafficAsync();
        var missing = ProjectMetrics.Where(m => !HasSeries(text, m)).ToArray();
        Assert.True(missing.Length == 0, $"/metrics lacks {string.Join(", ", missing)}; it has: {string.Join(", ", Names(text).Where(n => n.StartsWith("orleans", StringComparison.Ordinal)))}");
        Assert.True(HasSeries(text, "http_server_request_duration_seconds_bucket"), "no ASP.NET Core request metrics");
        Assert.True(HasSeries(text, "orleans_consistent_ring_size"), "no Orleans metrics");
        Assert.Contains(Names(text), n => n.StartsWith("dotnet_", StringComparison.Ordinal) || n.StartsWith("process_runtime_dotnet", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Metrics_AfterTraffic_LeaveOutThePerRequestFrameworkInstruments()
    {
        var text = await ScrapeAfterTrafficAsync();
        var names = Names(text).ToArray();

        // Prometheus form of each dropped instrument: dots and dashes become underscores; "x.*" is a prefix.
        foreach (var dropped in DroppedInstruments.Names)
        {
            var prefix = dropped.TrimEnd('*').Replace('.', '_').Replace('-', '_');
            var exported = names.Where(n => n.StartsWith(prefix, StringComparison.Ordinal)).ToArray();
            Assert.True(exported.Length == 0, $"'{dropped}' is dropped, yet /metrics has {string.Join(", ", exported)}");
        }

        // What stays covers the same ground: requests by route and status, grain calls, Orleans' failure counters.
        Assert.True(HasSeries(text, "http_server_request_duration_seconds_bucket"), "no request duration");
        Assert.True(HasSeries(text, "orleans_app_requests_latency_milliseconds_bucket"), "no grain-call latency");
    }

    [Fact]
    public async Task AlertRules_ParseAndReferenceOnlyExportedMetrics()
    {
        var path = Path.Combine(RepositoryRoot(), "deploy", "prometheus", "alerts.yml");
        var yaml = new YamlStream();
        using (var reader = File.OpenText(path))
        {
            yaml.Load(reader);
        }

        var text = await ScrapeAfterTrafficAsync();
        var exported = Names(text).ToHashSet(StringComparer.Ordinal);
        var root = (YamlMappingNode)yaml.Documents.Single().RootNode;
        var rules = ((YamlSequenceNode)root["groups"]).Cast<YamlMappingNode>()
            .SelectMany(g => ((YamlSequenceNode)g["rules"]).Cast<YamlMappingNode>()).ToArray();
        Assert.True(rules.Length >= 6, $"expected the alert rules, found {rules.Length}");
        foreach (var rule in rules)
        {
            var name = ((YamlScalarNode)rule["alert"]).Value!;
            var expr = ((YamlScalarNode)rule["expr"]).Value!;
            Assert.True(rule.Children.ContainsKey("for") && rule.Children.ContainsKey("annotations"), $"{name}: no 'for' or annotations");
            var metrics = Regex.Matches(expr, @"\b(orleans_[a-z0-9_]+)").Select(m => m.Groups[1].Value).Distinct().ToArray();
            Assert.True(metrics.Length > 0, $"{name}: its expression names no orleans metric: {expr}");
            foreach (var metric in metrics)
            {
                Assert.True(exported.Contains(metric), $"{name}: '{metric}' is not exported by the silo at /metrics");
            }

            // Every rule points at a runbook section that exists (GitHub anchors: the heading in lower case).
            var runbook = ((YamlScalarNode)((YamlMappingNode)rule["annotations"])["runbook"]).Value!;
            var anchor = runbook[(runbook.IndexOf('#', StringComparison.Ordinal) + 1)..];
            var headings = (await File.ReadAllLinesAsync(Path.Combine(RepositoryRoot(), "deploy", "RUNBOOK.md")))
                .Where(l => l.StartsWith("## ", StringComparison.Ordinal)).Select(l => l[3..].Trim().ToLowerInvariant());
            Assert.True(headings.Contains(anchor), $"{name}: runbook section '{anchor}' not found in deploy/RUNBOOK.md");
        }
    }

    [Fact]
    public async Task Trace_FromHttpPut_HasGrainAndStoreSpansUnderTheHttpSpan()
    {
        var key = "traced-" + Guid.NewGuid().ToString("N")[..8];
        using var response = await fixture.Silo.Client.PutAsync($"/v1/kv/default/{key}", Json("\"12F\""));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        Activity? http = null;
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (DateTime.UtcNow < deadline && (http = fixture.Spans.Snapshot().FirstOrDefault(a => a.Kind == ActivityKind.Server && a.GetTagItem("url.path") is string p && p.EndsWith(key, StringComparison.Ordinal))) is null)
        {
            await Task.Delay(50);
        }

        Assert.True(http is not null, $"no HTTP server span for the PUT within 10 s; spans: {Describe(fixture.Spans.Snapshot())}");
        var trace = fixture.Spans.Snapshot().Where(a => a.TraceId == http!.TraceId).ToArray();
        var write = trace.SingleOrDefault(a => a.OperationName == "record.write" && Equals(a.GetTagItem("orleans_causal.key"), key));
        var store = trace.SingleOrDefault(a => a.OperationName == "dotted_bins.write");
        Assert.True(write is not null && store is not null, $"trace {http!.TraceId} lacks record.write or dotted_bins.write: {Describe(trace)}; all: {Describe(fixture.Spans.Snapshot().Where(a => a.Source.Name != "System.Net.Http" && a.Source.Name != "Microsoft.AspNetCore"))}");
        Assert.True(IsUnder(store!, write!, trace), $"dotted_bins.write is not under record.write: {Describe(trace)}");
        Assert.True(IsUnder(write!, http, trace), $"record.write is not under the HTTP span: {Describe(trace)}");
    }

    [Fact]
    public async Task Dashboard_OnLoopback_Answers()
    {
        using var response = await fixture.Silo.Client.GetAsync("/dashboard");
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"/dashboard answered {(int)response.StatusCode}: {body[..Math.Min(300, body.Length)]}");
        Assert.Contains("<html", body, StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData(null, false)]
    [InlineData("wrong-key-0123456789", false)]
    [InlineData("operator-key-0123456789", true)]
    public async Task OperatorPolicy_FromAnotherHost_NeedsAnApiKey(string? bearer, bool allowed)
    {
        var settings = new SiloSettings(Core.RegionId.Parse("A"), false, null!, null, [new Gateway.Auth.ApiKey("operators", "operator-key-0123456789")], ["http://0.0.0.0:5080"]);
        await using var services = new ServiceCollection().AddLogging().AddSingleton(settings).AddApiKeyAuthentication().BuildServiceProvider();

        Assert.Equal(allowed, await OperatorPolicyAllowsAsync(services, IPAddress.Parse("10.1.2.3"), bearer));
        Assert.True(await OperatorPolicyAllowsAsync(services, IPAddress.Loopback, bearer: null));
        Assert.True(await OperatorPolicyAllowsAsync(services, IPAddress.IPv6Loopback, bearer: null));
    }

    /// <summary>Runs the operator policy the way the authorization middleware does: authenticate with the policy's
    /// schemes, then evaluate its requirements with the request as the resource.</summary>
    private static async Task<bool> OperatorPolicyAllowsAsync(IServiceProvider services, IPAddress remote, string? bearer)
    {
        var http = new DefaultHttpContext { RequestServices = services };
        http.Connection.RemoteIpAddress = remote;
        if (bearer is not null)
        {
            http.Request.Headers.Authorization = "Bearer " + bearer;
        }

        var policy = await services.GetRequiredService<IAuthorizationPolicyProvider>().GetPolicyAsync(ApiKeyAuthentication.OperatorPolicy);
        Assert.NotNull(policy);
        var evaluator = services.GetRequiredService<IPolicyEvaluator>();
        var authentication = await evaluator.AuthenticateAsync(policy, http);
        var authorization = await evaluator.AuthorizeAsync(policy, authentication, http, http);
        return authorization.Succeeded;
    }

    private async Task<string> ScrapeAfterTrafficAsync()
    {
        var client = fixture.Silo.Client;
        var key = "m-" + Guid.NewGuid().ToString("N")[..8];
        string? context = null;
        for (var i = 0; i < 3; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Put, $"/v1/kv/default/{key}") { Content = Json(i.ToString(System.Globalization.CultureInfo.InvariantCulture)) };
            if (context is not null)
            {
                request.Headers.Add("Causal-Context", context);
            }

            using var response = await client.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            context = response.Headers.GetValues("Causal-Context").Single();
        }

        // Three blind writes to a namespace capped at 2 siblings: the third prunes one.
        for (var i = 0; i < 3; i++)
        {
            using var response = await client.PutAsync($"/v1/kv/capped/{key}", Json("\"v\""));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        using var get = await client.GetAsync($"/v1/kv/default/{key}");
        Assert.Equal(HttpStatusCode.OK, get.StatusCode);

        // Metrics are collected on scrape; the replication gauges need the shipper to have tried peer B once.
        var deadline = DateTime.UtcNow.AddSeconds(15);
        string text;
        do
        {
            text = await client.GetStringAsync("/metrics");
            if (ProjectMetrics.All(m => HasSeries(text, m)))
            {
                break;
            }

            await Task.Delay(200);
        }
        while (DateTime.UtcNow < deadline);

        return text;
    }

    private static StringContent Json(string json) => new(json, Encoding.UTF8, new MediaTypeHeaderValue("application/json"));

    private static bool HasSeries(string text, string name) =>
        text.Split('\n').Any(l => l.StartsWith(name + "{", StringComparison.Ordinal) || l.StartsWith(name + " ", StringComparison.Ordinal));

    /// <summary>Metric family names (and their _bucket/_sum/_count/_total series names) in the exposition text.</summary>
    private static IEnumerable<string> Names(string text) =>
        text.Split('\n').Where(l => l.Length > 0 && l[0] != '#')
            .Select(l => l[..l.IndexOfAny(['{', ' '])]).Distinct();

    private static bool IsUnder(Activity child, Activity ancestor, Activity[] trace)
    {
        var current = child;
        for (var hops = 0; hops < 32 && current is not null; hops++)
        {
            if (current.ParentSpanId == ancestor.SpanId)
            {
                return true;
            }

            current = trace.FirstOrDefault(a => a.SpanId == current.ParentSpanId);
        }

        return false;
    }

    private static string Describe(IEnumerable<Activity> spans) =>
        string.Join("; ", spans.Select(a => $"{a.Source.Name}/{a.OperationName} {a.DisplayName} trace={a.TraceId} span={a.SpanId} parent={a.ParentSpanId}"));

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "OrleansCausal.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("OrleansCausal.sln not found above " + AppContext.BaseDirectory);
    }
}
