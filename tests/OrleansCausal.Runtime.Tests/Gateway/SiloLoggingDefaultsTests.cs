using OrleansCausal.Gateway.Hosting;
using OrleansCausal.Runtime.Tests.Support;
using static OrleansCausal.Runtime.Tests.Support.KvApi;

namespace OrleansCausal.Runtime.Tests.Gateway;

/// <summary>The silo's shipped <c>appsettings.json</c> (per-request framework logs off) applies whatever directory the
/// silo is started from: its content root is the binary's directory unless set explicitly.</summary>
public sealed class SiloLoggingDefaultsTests
{
    [Fact]
    public async Task Silo_StartedFromAnotherDirectory_LogsNoLinePerRequest()
    {
        var workingDirectory = Path.GetDirectoryName(TempFiles.NewDatabasePath("logging-defaults"))!;
        await using var silo = await SiloProcess.StartAsync(
            "logging-defaults",
            ["--Region", "A", "--Store", "sqlite:./data/A.db", "--Context:SigningKey", TestSilo.SigningKey],
            workingDirectory);
        for (var i = 0; i < 3; i++)
        {
            await silo.Client.SendForRecordAsync(Put("/v1/kv/default/k" + i, "1"));
            await silo.Client.SendForRecordAsync(Get("/v1/kv/default/k" + i));
        }

        Assert.Equal(0, await silo.StopAsync());

        var output = silo.Output;
        Assert.Contains(output, line => line.Contains("Now listening on", StringComparison.Ordinal));
        Assert.DoesNotContain(output, line => line.Contains("Request starting", StringComparison.Ordinal) || line.Contains("Request finished", StringComparison.Ordinal));
        Assert.True(File.Exists(Path.Combine(workingDirectory, "data", "A.db")), "relative store paths stay relative to the working directory");
    }

    [Fact]
    public void ContentRoot_IsTheBinaryDirectory_UnlessSetExplicitly()
    {
        static string? None(string name) => null;

        Assert.Equal("/opt/silo", SiloContentRoot.Choose(["--Region", "A"], None, "/opt/silo"));
        Assert.Null(SiloContentRoot.Choose(["--contentRoot", "/srv/config"], None, "/opt/silo"));
        Assert.Null(SiloContentRoot.Choose(["--contentRoot=/srv/config"], None, "/opt/silo"));
        Assert.Null(SiloContentRoot.Choose([], name => name == "ASPNETCORE_CONTENTROOT" ? "/srv/config" : null, "/opt/silo"));
        Assert.Null(SiloContentRoot.Choose([], name => name == "DOTNET_CONTENTROOT" ? "/srv/config" : null, "/opt/silo"));
    }
}
