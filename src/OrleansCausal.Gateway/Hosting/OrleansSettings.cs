using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Configuration;

namespace OrleansCausal.Gateway.Hosting;

/// <summary>
/// The silo's Orleans endpoints (<c>Orleans:SiloPort</c>, <c>Orleans:GatewayPort</c>, <c>Orleans:AdvertisedIP</c>).
/// Unset ports are free ones chosen at start, so several silos — of one region or of several — start on one host
/// with no port settings. The advertised address is what the region's other silos dial: loopback by default (silos
/// on one host); set it to the host's address when a region's silos run on several hosts.
/// </summary>
public sealed record OrleansSettings(int SiloPort, int GatewayPort, IPAddress AdvertisedAddress)
{
    public static OrleansSettings Read(IConfiguration configuration) =>
        new(Port(configuration, "Orleans:SiloPort"), Port(configuration, "Orleans:GatewayPort"), Address(configuration, "Orleans:AdvertisedIP"));

    private static IPAddress Address(IConfiguration configuration, string key)
    {
        var text = configuration[key];
        if (string.IsNullOrWhiteSpace(text))
        {
            return IPAddress.Loopback;
        }

        return IPAddress.TryParse(text.Trim(), out var address)
            ? address
            : throw new InvalidOperationException($"{key} must be an IP address (the one this silo's region peers dial), not '{text}'.");
    }

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
