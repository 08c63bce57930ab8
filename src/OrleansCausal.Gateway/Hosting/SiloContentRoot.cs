namespace OrleansCausal.Gateway.Hosting;

/// <summary>
/// Where the silo looks for <c>appsettings.json</c>: next to its binary, wherever it is started from — so the
/// production logging defaults shipped with it apply whatever the working directory (a shell in the repository, a
/// service manager's default). An operator who sets the content root explicitly (<c>--contentRoot</c>,
/// <c>ASPNETCORE_CONTENTROOT</c> or <c>DOTNET_CONTENTROOT</c>) keeps it. Relative paths in settings
/// (<c>Store = sqlite:./data/…</c>) stay relative to the working directory.
/// </summary>
public static class SiloContentRoot
{
    private static readonly string[] EnvironmentVariables = ["ASPNETCORE_CONTENTROOT", "DOTNET_CONTENTROOT"];

    /// <summary>The content root to give the host, or null to leave the choice to the host (it was set explicitly).</summary>
    public static string? Choose(string[] args, Func<string, string?> environment, string binaryDirectory)
    {
        var explicitlySet =
            args.Any(a => a.StartsWith("--contentRoot", StringComparison.OrdinalIgnoreCase) || a.StartsWith("/contentRoot", StringComparison.OrdinalIgnoreCase)) ||
            EnvironmentVariables.Any(name => !string.IsNullOrEmpty(environment(name)));
        return explicitlySet ? null : binaryDirectory;
    }

    public static string? Choose(string[] args) => Choose(args, Environment.GetEnvironmentVariable, AppContext.BaseDirectory);
}
