using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace OrleansCausal.Gateway.Endpoints;

/// <summary>
/// <c>GET /explorer</c>: the causal explorer page (<c>Explorer/explorer.html</c>, embedded in this assembly): one HTML
/// file with inline CSS and script and no external assets. The page itself holds no data; it calls the <c>/v1</c> API
/// (explain, kv, status, diagnostics) with the API key the user enters, so it is served without one.
/// </summary>
public static class ExplorerEndpoints
{
    private const string ResourceName = "OrleansCausal.Gateway.Explorer.explorer.html";

    // Inline script and style are the page's own; nothing may be loaded from elsewhere.
    private const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; " +
        "base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    public static IEndpointRouteBuilder MapExplorer(this IEndpointRouteBuilder app)
    {
        var page = LoadPage();
        app.MapGet("/explorer", (HttpContext http) =>
            {
                http.Response.Headers.ContentSecurityPolicy = ContentSecurityPolicy;
                http.Response.Headers.CacheControl = "no-cache";
                http.Response.Headers.XContentTypeOptions = "nosniff";
                return TypedResults.Bytes(page, "text/html; charset=utf-8");
            })
            .WithTags("Explorer")
            .ExcludeFromDescription();
        return app;
    }

    private static byte[] LoadPage()
    {
        using var stream = typeof(ExplorerEndpoints).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"The explorer page is missing from the gateway assembly (resource {ResourceName}).");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}
