using System.Net.Http.Headers;
using System.Text;
using Microsoft.Playwright;
using OrleansCausal.Explorer.Tests.Support;
using static Microsoft.Playwright.Assertions;
using OrleansCausal.Tests.Shared;

namespace OrleansCausal.Explorer.Tests;

/// <summary>The explorer page in a real browser (Debian's chromium through Playwright) against a real silo: the flight
/// check-in's blind writes shown as two siblings with their explanation, then resolved by a write from the page with
/// its context. A screenshot of each step goes to <c>TestResults/explorer</c>.</summary>
public sealed class ExplorerPageTests : IAsyncLifetime
{
    private const string ApiKey = "explorer-tests-api-key-0123";

    /// <summary>The context signing key of the explorer tests' silos.</summary>
    public const string SigningKey = "explorer-tests-signing-key-0123456789abcdef";

    private static readonly PageAssertionsToHaveURLOptions UrlWait = new() { Timeout = 30_000 };
    private static readonly LocatorAssertionsToHaveCountOptions CountWait = new() { Timeout = 30_000 };
    private static readonly LocatorAssertionsToHaveTextOptions TextWait = new() { Timeout = 30_000 };
    private static readonly LocatorAssertionsToContainTextOptions ContainsWait = new() { Timeout = 30_000 };

    private LoopbackSilo _silo = null!;
    private Browser _browser = null!;

    public async Task InitializeAsync()
    {
        _silo = await LoopbackSilo.StartAsync(
            SigningKey, new Dictionary<string, string?> { ["Auth:ApiKeys:explorer-tests"] = ApiKey }, bearer: ApiKey);
        _browser = await Browser.LaunchAsync();
    }

    public async Task DisposeAsync()
    {
        if (_browser is not null)
        {
            await _browser.DisposeAsync();
        }

        if (_silo is not null)
        {
            await _silo.DisposeAsync();
        }
    }

    [Fact]
    public async Task ExplorerPage_WhenTwoBlindWritesThenAWriteWithContext_ShowsTwoSiblingsThenOneValue()
    {
        const string key = "flight/LH400/passenger-42";
        // The browser picks 12F and the phone 10D, both blind: two siblings.
        await PutAsync(key, "\"12F\"");
        await PutAsync(key, "\"10D\"");

        await using var context = await _browser.Chromium.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 900 } });
        var page = await context.NewPageAsync();
        await page.GotoAsync(new Uri(_silo.Address, "/explorer?namespace=default&key=" + Uri.EscapeDataString(key)).ToString());
        await EnterApiKeyAsync(page);

        // Step 1: both siblings, and why they are concurrent.
        await Expect(page.GetByTestId("sibling-row")).ToHaveCountAsync(2, CountWait);
        await Expect(page.GetByTestId("sibling-count")).ToHaveTextAsync("2", TextWait);
        await Expect(page.GetByTestId("sibling-row").Nth(0)).ToContainTextAsync("\"12F\"", ContainsWait);
        await Expect(page.GetByTestId("sibling-row").Nth(1)).ToContainTextAsync("\"10D\"", ContainsWait);
        // Each bin shows who wrote it: the name of the API key the writes were made with.
        await Expect(page.GetByTestId("sibling-row").Nth(0)).ToContainTextAsync("explorer-tests", ContainsWait);
        var reason = page.GetByTestId("pair-reason");
        await Expect(reason).ToHaveCountAsync(1, CountWait);
        await Expect(reason).ToContainTextAsync("are concurrent", ContainsWait);
        await Expect(reason).ToContainTextAsync("so it did not see", ContainsWait);
        await Expect(page.GetByTestId("resolved-value")).ToHaveTextAsync("\"10D\"", TextWait);
        await Expect(page.GetByTestId("write-supersedes")).ToContainTextAsync("A.1, A.2", ContainsWait);
        await Expect(page.GetByTestId("drawing")).ToHaveCountAsync(1, CountWait);
        await Expect(page.GetByTestId("diagnostics-row")).ToContainTextAsync(key, ContainsWait);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Artifacts.PathFor("1-two-blind-writes.png"), FullPage = true });

        // Step 2: the agent writes 5C from the page, with the context the page read: one value is left.
        await page.Locator("#write-value").FillAsync("\"5C\"");
        await page.Locator("#write-with-context").ClickAsync();
        await Expect(page.GetByTestId("write-message")).ToContainTextAsync("now 1 sibling", ContainsWait);
        await Expect(page.GetByTestId("sibling-row")).ToHaveCountAsync(1, CountWait);
        await Expect(page.GetByTestId("resolved-value")).ToHaveTextAsync("\"5C\"", TextWait);
        await Expect(page.GetByTestId("pair-reason")).ToHaveCountAsync(0, CountWait);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Artifacts.PathFor("2-write-with-context.png"), FullPage = true });

        // The server agrees: one sibling.
        var response = await _silo.Client.GetStringAsync("/v1/kv/default/" + key);
        Assert.Contains("\"value\":\"5C\"", response, StringComparison.Ordinal);
        Assert.Single(System.Text.Json.JsonDocument.Parse(response).RootElement.GetProperty("siblings").EnumerateArray());
    }

    [Fact]
    public async Task ExplorerPage_OnAPhone_LooksUpARecordAndBlindWritesAddASibling()
    {
        const string key = "seat-map";
        await PutAsync(key, "\"12F\"");

        await using var context = await _browser.Chromium.NewContextAsync(new BrowserNewContextOptions
        {
            ViewportSize = new ViewportSize { Width = 390, Height = 844 },
            IsMobile = true,
            HasTouch = true,
        });
        var page = await context.NewPageAsync();
        await page.GotoAsync(new Uri(_silo.Address, "/explorer").ToString());
        await EnterApiKeyAsync(page);
        await page.Locator("#key").FillAsync(key);
        await page.Locator("#lookup-button").ClickAsync();
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("key=seat-map"), UrlWait);
        await Expect(page.GetByTestId("sibling-row")).ToHaveCountAsync(1, CountWait);

        await page.Locator("#write-value").FillAsync("\"10D\"");
        await page.Locator("#write-blind").ClickAsync();
        await Expect(page.GetByTestId("sibling-row")).ToHaveCountAsync(2, CountWait);
        await Expect(page.GetByTestId("region")).ToHaveTextAsync("region A", TextWait);
        var overflow = await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth > window.innerWidth + 1");
        Assert.False(overflow, "The page must not scroll sideways on a 390 px wide phone screen (wide tables and the drawing scroll inside their cards).");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Artifacts.PathFor("3-phone.png"), FullPage = true });
    }

    private static async Task EnterApiKeyAsync(IPage page)
    {
        // Without the key the /v1 calls are refused; entering it (kept in sessionStorage) reloads the record.
        await page.Locator("#api-key").FillAsync(ApiKey);
        await page.Locator("#api-key").DispatchEventAsync("change");
    }

    private async Task PutAsync(string key, string json)
    {
        using var content = new StringContent(json, Encoding.UTF8);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var response = await _silo.Client.PutAsync("/v1/kv/default/" + key, content);
        response.EnsureSuccessStatusCode();
    }
}
