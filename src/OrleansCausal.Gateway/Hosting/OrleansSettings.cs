using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Configuration;

namespace OrleansCausal.Gateway.Hosting;

/// <summary>
/// The silo's Orleans endpoints (<c>Orleans:SiloPort</c>, <c>Orleans:GatewayPort</c>). Unset ports are free ones
/// chosen at start, so several silos — of one region or of several — start on one host with no port settings.
/// </summary>
public sealed record OrleansSettings(int SiloPort, int GatewayPort)
{
    public static OrleansSettings Read(IConfiguration configuration) =>
        new(Port(configuration, "Orleans:SiloPort"), Port(configuration, "Orleans:GatewayPort"));

    private static int Port(IConfiguration configuration, string key)
    {
        var text = configuration[key];
        if (string.IsNullOrWhiteSpace(text))
        {
            return FreeLoopbackPort();
        }

        return int.TryParse(text, out var port) && port is > 0 and <= 65535
            ? port
            : throw new InvalidOperationException($"{key} must be a TCP port (1-65535), not '{text}'; leave it unset for a free port.");
    }

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
