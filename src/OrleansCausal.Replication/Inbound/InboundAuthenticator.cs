using System.Net;
using Microsoft.AspNetCore.Http;
using OrleansCausal.Replication.Hosting;
using OrleansCausal.Replication.Wire;

namespace OrleansCausal.Replication.Inbound;

/// <summary>
/// Decides whether a replication request may be applied. With <c>Replication:Secret</c> set, every request must
/// carry a fresh, valid signature. Without it, only loopback callers are accepted (a single-machine deployment;
/// the silo warned at start).
/// </summary>
public sealed class InboundAuthenticator(ReplicationSettings settings, TimeProvider time)
{
    private readonly RequestSigner? _signer = settings.IsAuthenticated ? new RequestSigner(settings.Options.Secret!) : null;

    /// <summary>Null when the request may proceed, otherwise the reason to refuse it with 401.</summary>
    public string? Check(HttpRequest request, string signedPath, ReadOnlySpan<byte> body)
    {
        if (_signer is null)
        {
            var remote = request.HttpContext.Connection.RemoteIpAddress;
            return remote is null || IPAddress.IsLoopback(remote)
                ? null
                : "Replication on this silo is not authenticated (no Replication:Secret), so it only accepts loopback callers.";
        }

        return _signer.Verify(
            request.Method,
            signedPath,
            request.Headers[RequestSigner.TimestampHeader],
            request.Headers[RequestSigner.SignatureHeader],
            body,
            time.GetUtcNow(),
            settings.Options.MaxClockSkew);
    }
}
