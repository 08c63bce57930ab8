using System.Net.Sockets;
using System.Text;

namespace OrleansCausal.Runtime.Tests.Support;

/// <summary>HTTP/1.1 by hand over a <see cref="TcpClient"/>, for requests HttpClient will not send (a Content-Length
/// that lies, a header of any size). Returns the status code of the first response, or throws when the connection
/// is dropped without one.</summary>
public static class RawHttp
{
    public static async Task<int> SendAsync(Uri server, byte[] request, bool closeSendSide, TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(server.Host, server.Port, cancel.Token);
        var stream = tcp.GetStream();
        await stream.WriteAsync(request, cancel.Token);
        await stream.FlushAsync(cancel.Token);
        if (closeSendSide)
        {
            tcp.Client.Shutdown(SocketShutdown.Send);
        }

        var received = new StringBuilder();
        var buffer = new byte[4096];
        while (!received.ToString().Contains("\r\n", StringComparison.Ordinal))
        {
            var read = await stream.ReadAsync(buffer, cancel.Token);
            if (read == 0)
            {
                throw new IOException($"The connection was closed without a response (received '{received}').");
            }

            received.Append(Encoding.ASCII.GetString(buffer, 0, read));
        }

        var statusLine = received.ToString()[..received.ToString().IndexOf("\r\n", StringComparison.Ordinal)];
        var parts = statusLine.Split(' ');
        return parts.Length >= 2 && parts[0].StartsWith("HTTP/", StringComparison.Ordinal) && int.TryParse(parts[1], out var status)
            ? status
            : throw new IOException($"Not an HTTP status line: '{statusLine}'.");
    }
}
