using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace OrleansCausal.Replication.Wire;

/// <summary>
/// Signs and verifies replication requests. The key is derived from <c>Replication:Secret</c> with HKDF-SHA256
/// (info <c>orleans-causal/replication/v1</c>), so the secret itself never keys anything else. The signature is
/// HMAC-SHA256 over <c>METHOD '\n' PATH '\n' TIMESTAMP '\n' BODY</c>, sent base64url in
/// <see cref="SignatureHeader"/> with the Unix-millisecond <see cref="TimestampHeader"/>. A request outside the
/// allowed clock skew is refused, which bounds replays; a replayed batch inside the window is harmless anyway
/// (merge is idempotent and gap detection refuses batches that would skip ahead).
/// </summary>
public sealed class RequestSigner
{
    public const string TimestampHeader = "X-Replication-Timestamp";
    public const string SignatureHeader = "X-Replication-Signature";
    private static readonly byte[] KeyInfo = "orleans-causal/replication/v1"u8.ToArray();

    private readonly byte[] _key;

    public RequestSigner(string secret)
    {
        ArgumentException.ThrowIfNullOrEmpty(secret);
        _key = HKDF.DeriveKey(HashAlgorithmName.SHA256, Encoding.UTF8.GetBytes(secret), 32, salt: [], info: KeyInfo);
    }

    public string Sign(string method, string path, long timestampMs, ReadOnlySpan<byte> body)
    {
        using var hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, _key);
        hmac.AppendData(Encoding.UTF8.GetBytes(
            $"{method.ToUpperInvariant()}\n{path}\n{timestampMs.ToString(CultureInfo.InvariantCulture)}\n"));
        hmac.AppendData(body);
        return Base64Url(hmac.GetHashAndReset());
    }

    /// <summary>Null when the request is authentic and fresh, otherwise why it is not (safe to show the caller).</summary>
    public string? Verify(string method, string path, string? timestamp, string? signature, ReadOnlySpan<byte> body, DateTimeOffset now, TimeSpan maxSkew)
    {
        if (string.IsNullOrEmpty(timestamp) || string.IsNullOrEmpty(signature))
        {
            return $"The request carries no replication credentials ({TimestampHeader} and {SignatureHeader} headers).";
        }

        if (!long.TryParse(timestamp, NumberStyles.None, CultureInfo.InvariantCulture, out var timestampMs))
        {
            return $"The {TimestampHeader} header is not a Unix time in milliseconds.";
        }

        var skew = TimeSpan.FromMilliseconds(Math.Abs(now.ToUnixTimeMilliseconds() - timestampMs));
        if (skew > maxSkew)
        {
            return $"The request timestamp is {skew.TotalSeconds:F0}s away from this silo's clock (allowed: {maxSkew.TotalSeconds:F0}s).";
        }

        var expected = Encoding.ASCII.GetBytes(Sign(method, path, timestampMs, body));
        var given = Encoding.ASCII.GetBytes(signature);
        return CryptographicOperations.FixedTimeEquals(expected, given)
            ? null
            : "The replication signature does not match (wrong Replication:Secret, or the body was altered).";
    }

    private static string Base64Url(byte[] bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
