using System.Text.Json;
using OrleansCausal.Cli.Tests.Support;
using OrleansCausal.Tests.Shared;

namespace OrleansCausal.Cli.Tests;

public sealed class SiloFixture : IAsyncLifetime
{
    public LoopbackSilo Silo { get; private set; } = null!;

    public async Task InitializeAsync() => Silo = await LoopbackSilo.StartAsync(TelemetrySiloFixture.SigningKey);

    public async Task DisposeAsync() => await Silo.DisposeAsync();
}

/// <summary>The CLI against a real silo: its entry point run in-process, a fresh session directory per test.</summary>
public sealed class CliRoundTripTests(SiloFixture fixture) : IClassFixture<SiloFixture>
{
    private CliRun NewCli() => new(fixture.Silo.Address, Path.Combine(fixture.Silo.Directory, "session-" + Guid.NewGuid().ToString("N")));

    private static string NewKey() => "flight/LH400/" + Guid.NewGuid().ToString("N")[..8];

    [Fact]
    public async Task Put_ThenPutWithKeptContext_SupersedesAndGetShowsOneValue()
    {
        var cli = NewCli();
        var key = NewKey();

        var first = await cli.RunAsync("put", key, "\"12F\"");
        Assert.True(first.Exit == 0, first.Error);
        Assert.Equal("\"12F\"", first.Out.Trim());
        Assert.True(File.Exists(Path.Combine(cli.SessionDirectory, "session.json")), "the put did not keep its context in the session file");

        var second = await cli.RunAsync("put", key, "\"10F\"");
        Assert.True(second.Exit == 0, second.Error);

        var get = await cli.RunAsync("get", key, "--json");
        Assert.Equal(0, get.Exit);
        using var body = JsonDocument.Parse(get.Out);
        Assert.Equal("10F", body.RootElement.GetProperty("value").GetString());
        Assert.Equal(1, body.RootElement.GetProperty("siblings").GetArrayLength());
    }

    [Fact]
    public async Task Put_Blind_AddsSiblingThatAKeptContextThenResolves()
    {
        var cli = NewCli();
        var key = NewKey();
        Assert.Equal(0, (await cli.RunAsync("put", key, "1")).Exit);
        Assert.Equal(0, (await cli.RunAsync("put", key, "2", "--blind")).Exit);

        var siblings = await cli.RunAsync("siblings", key, "--json");
        Assert.Equal(0, siblings.Exit);
        using (var list = JsonDocument.Parse(siblings.Out))
        {
            Assert.Equal(2, list.RootElement.GetArrayLength());
        }

        // siblings kept the context of that read, so the next put covers both.
        Assert.Equal(0, (await cli.RunAsync("put", key, "3")).Exit);
        var get = await cli.RunAsync("get", key, "--json");
        using var body = JsonDocument.Parse(get.Out);
        Assert.Equal(1, body.RootElement.GetProperty("siblings").GetArrayLength());
        Assert.Equal(3, body.RootElement.GetProperty("value").GetInt32());
    }

    [Fact]
    public async Task Explain_TwoBlindPuts_ShowsTwoBinsAndOnePair()
    {
        var cli = NewCli();
        var key = NewKey();
        Assert.Equal(0, (await cli.RunAsync("put", key, "\"12F\"", "--blind")).Exit);
        Assert.Equal(0, (await cli.RunAsync("put", key, "\"10D\"", "--blind")).Exit);

        var json = await cli.RunAsync("explain", "default", key, "--json");
        Assert.True(json.Exit == 0, json.Error);
        using (var body = JsonDocument.Parse(json.Out))
        {
            Assert.Equal(2, body.RootElement.GetProperty("bins").GetArrayLength());
            var pairs = body.RootElement.GetProperty("pairs");
            Assert.Equal(1, pairs.GetArrayLength());
            Assert.True(pairs[0].GetProperty("concurrent").GetBoolean());
        }

        var human = await cli.RunAsync("explain", "default", key);
        Assert.True(human.Exit == 0, human.Error);
        Assert.Contains("12F", human.Out, StringComparison.Ordinal);
        Assert.Contains("10D", human.Out, StringComparison.Ordinal);
        Assert.Contains("supersede", human.Out, StringComparison.Ordinal);
        Assert.Contains("resolver's choice", human.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Explain_UnknownNamespace_ExitsLikeGet()
    {
        var get = await NewCli().RunAsync("get", "k", "--namespace", "nosuchns");
        var explain = await NewCli().RunAsync("explain", "nosuchns", "k");
        Assert.Equal(ExitCodes.NotFound, get.Exit);
        Assert.Equal(get.Exit, explain.Exit);
        Assert.Contains("Unknown namespace", explain.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Explain_MissingKeyArgument_Exits2()
    {
        var result = await NewCli().RunAsync("explain", "default");
        Assert.Equal(ExitCodes.BadUsage, result.Exit);
    }

    [Fact]
    public async Task Get_MissingKey_Exits1WithMessage()
    {
        var result = await NewCli().RunAsync("get", NewKey());
        Assert.Equal(ExitCodes.NotFound, result.Exit);
        Assert.Contains("Not found", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Delete_ThenGet_Exits1()
    {
        var cli = NewCli();
        var key = NewKey();
        Assert.Equal(0, (await cli.RunAsync("put", key, "{\"a\":1}")).Exit);
        var delete = await cli.RunAsync("delete", key);
        Assert.True(delete.Exit == 0, delete.Error);
        Assert.Equal(ExitCodes.NotFound, (await cli.RunAsync("get", key)).Exit);
    }

    [Theory]
    [InlineData("put")]
    [InlineData("frobnicate")]
    [InlineData("get", "k", "--no-such-option")]
    [InlineData("put", "k", "not json")]
    [InlineData("put", "k", "1", "--blind", "--override")]
    public async Task BadUsage_Exits2(params string[] args)
    {
        var result = await NewCli().RunAsync(args);
        Assert.Equal(ExitCodes.BadUsage, result.Exit);
        Assert.Contains("error:", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Put_WithForgedContext_Exits3WithTheProblemMessage()
    {
        var result = await NewCli().RunAsync("put", NewKey(), "1", "--context", "not-a-token");
        Assert.Equal(ExitCodes.Refused, result.Exit);
        Assert.Contains("context", result.Error, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Get_InvalidNamespace_Exits3WithTheProblemMessage()
    {
        var result = await NewCli().RunAsync("get", "k", "--namespace", "Not A Namespace!");
        Assert.Equal(ExitCodes.Refused, result.Exit);
        Assert.Contains("namespace", result.Error, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Get_UnreachableServer_Exits3()
    {
        var result = await new CliRun(new Uri("http://127.0.0.1:1"), Path.Combine(fixture.Silo.Directory, "unreachable")).RunAsync("get", "k");
        Assert.Equal(ExitCodes.Refused, result.Exit);
        Assert.Contains("cannot reach", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Status_Json_ParsesAndShowsThisSilo()
    {
        var result = await NewCli().RunAsync("status", "--json");
        Assert.True(result.Exit == 0, result.Error);
        using var body = JsonDocument.Parse(result.Out);
        Assert.Equal("A", body.RootElement.GetProperty("region").GetString());
        Assert.Equal(1, body.RootElement.GetProperty("cluster").GetProperty("silos").GetArrayLength());

        var table = await NewCli().RunAsync("status");
        Assert.Equal(0, table.Exit);
        Assert.Contains("active", table.Out, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Resend_UnknownPeer_Exits1()
    {
        var result = await NewCli().RunAsync("resend", "Z");
        Assert.Equal(ExitCodes.NotFound, result.Exit);
        Assert.Contains("Unknown peer", result.Error, StringComparison.Ordinal);
    }
}
