using Microsoft.Playwright;

namespace OrleansCausal.Explorer.Tests.Support;

/// <summary>
/// Debian's chromium (never a downloaded browser build) driven by Playwright. <c>tests/run-tests.sh</c> installs the
/// <c>chromium</c> package when it is missing and exports its path as <c>ORLEANSCAUSAL_CHROMIUM</c>; without it the
/// tests use <c>/usr/bin/chromium</c> and fail, naming the path, when it is not there.
/// </summary>
public sealed class Browser : IAsyncDisposable
{
    private readonly IPlaywright _playwright;

    private Browser(IPlaywright playwright, IBrowser chromium)
    {
        _playwright = playwright;
        Chromium = chromium;
    }

    public IBrowser Chromium { get; }

    public static string ExecutablePath =>
        Environment.GetEnvironmentVariable("ORLEANSCAUSAL_CHROMIUM") is { Length: > 0 } path ? path : "/usr/bin/chromium";

    public static async Task<Browser> LaunchAsync()
    {
        if (!File.Exists(ExecutablePath))
        {
            throw new InvalidOperationException(
                $"No chromium at {ExecutablePath}: run the tests with tests/run-tests.sh (it installs Debian's chromium package) " +
                "or set ORLEANSCAUSAL_CHROMIUM. A browser is never downloaded.");
        }

        var playwright = await Playwright.CreateAsync();
        try
        {
            var chromium = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
            {
                ExecutablePath = ExecutablePath,
                Headless = true,
                Timeout = 60_000,
                Args =
                [
                    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                    "--disable-background-networking", "--disable-component-update", "--disable-sync",
                ],
            });
            return new Browser(playwright, chromium);
        }
        catch
        {
            playwright.Dispose();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Chromium.DisposeAsync();
        _playwright.Dispose();
    }
}
