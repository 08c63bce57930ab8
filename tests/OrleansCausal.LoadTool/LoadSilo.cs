using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using OrleansCausal.Gateway;

namespace OrleansCausal.LoadTool;

/// <summary>The silo the load tool hosts in process: region "load", loopback on a free port, the run's SQLite file (or --store), Warning logs.</summary>
internal static class LoadSilo
{
    public static WebApplication Build(LoadOptions options, string databasePath) =>
        SiloApplication.Build([], c => c.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Region"] = "load",
            ["Urls"] = "http://127.0.0.1:0",
            ["Store"] = options.Store ?? "sqlite:" + databasePath,
            ["Context:SigningKey"] = "load-tool-signing-key-0123456789abcdef",
            ["Logging:LogLevel:Default"] = "Warning",
        }));
}
