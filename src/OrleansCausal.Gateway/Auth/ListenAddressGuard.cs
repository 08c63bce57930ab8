using System.Net;

namespace OrleansCausal.Gateway.Auth;

/// <summary>Refuses to build a silo that would listen beyond loopback with no API keys configured.</summary>
internal static class ListenAddressGuard
{
    public static void Check(IReadOnlyList<string> urls, int apiKeyCount)
    {
        if (apiKeyCount > 0)
        {
            return;
        }

        var exposed = urls.Where(u => !IsLoopback(u)).ToArray();
        if (exposed.Length > 0)
        {
            throw new InvalidOperationException(
                $"Refusing to start: this silo would listen on {string.Join(", ", exposed)}, which is not loopback, and no API keys are configured. " +
                "Set at least one key under Auth:ApiKeys (e.g. --Auth:ApiKeys:0 <secret>, or OrleansCausal__Auth__ApiKeys__0), or listen on 127.0.0.1 only.");
        }
    }

    public static bool IsLoopback(string url)
    {
        var host = url;
        var scheme = host.IndexOf("://", StringComparison.Ordinal);
        if (scheme >= 0)
        {
            host = host[(scheme + 3)..];
        }

        var slash = host.IndexOf('/');
        if (slash >= 0)
        {
            host = host[..slash];
        }

        if (host.StartsWith('['))
        {
            var close = host.IndexOf(']');
            host = close > 0 ? host[1..close] : host;
        }
        else
        {
            var colon = host.LastIndexOf(':');
            host = colon >= 0 ? host[..colon] : host;
        }

        if (string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        return IPAddress.TryParse(host, out var address) && IPAddress.IsLoopback(address);
    }
}
