using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using OrleansCausal.Core.Serialization;

namespace OrleansCausal.Core.Tokens;

/// <summary>
/// Encodes a causal context as a compact, signed token: <c>base64url(version:u8=1 vector mac[16])</c>, where
/// <c>vector</c> is <see cref="CausalBinaryCodec"/>'s vector encoding and <c>mac</c> is HMAC-SHA256 truncated to
/// 128 bits over a domain label, the record's namespace and key, and the payload. Binding the MAC to the record
/// means a context read from one key cannot be replayed against another key to wipe out siblings it never saw,
/// at no cost in token size. Decoding refuses malformed, truncated, oversized, tampered or foreign tokens with a
/// <see cref="ContextTokenException"/> that names the reason; it never returns a partial context.
/// </summary>
public sealed class ContextTokenCodec
{
    public const byte FormatVersion = 1;
    public const int MinimumKeyLength = 32;
    public const int MacLength = 16;
    public const int MaxTokenLength = 4096;
    private const int MaxEntries = 256;
    private static readonly byte[] DomainLabel = "orleans-causal/context/v1"u8.ToArray();

    private readonly byte[] _key;

    // One keyed HMAC per thread: re-using an instance skips the key set-up that dominates signing a small token.
    private readonly ThreadLocal<HMACSHA256> _hmac;

    public ContextTokenCodec(string signingKey)
    {
        if (string.IsNullOrEmpty(signingKey) || signingKey.Length < MinimumKeyLength)
        {
            throw new ArgumentException(
                $"The context signing key must be at least {MinimumKeyLength} characters long (it is {signingKey?.Length ?? 0}).",
                nameof(signingKey));
        }

        _key = Encoding.UTF8.GetBytes(signingKey);
        _hmac = new ThreadLocal<HMACSHA256>(() => new HMACSHA256(_key));
    }

    public string Encode(VersionVector context, string @namespace, string key)
    {
        var writer = new ByteWriter(64);
        writer.WriteByte(FormatVersion);
        CausalBinaryCodec.WriteVector(writer, context);
        Span<byte> mac = stackalloc byte[MacLength];
        ComputeMac(writer.Written, @namespace, key, mac);
        writer.WriteBytes(mac);
        return Base64Url.EncodeToString(writer.Written);
    }

    public VersionVector Decode(string? token, string @namespace, string key) =>
        TryDecode(token, @namespace, key, out var context, out var error, out var message)
            ? context
            : throw new ContextTokenException(error, message);

    public bool TryDecode(
        string? token,
        string @namespace,
        string key,
        out VersionVector context,
        out ContextTokenError error,
        out string message)
    {
        context = VersionVector.Empty;
        if (string.IsNullOrEmpty(token))
        {
            return Fail(ContextTokenError.Empty, "The causal context token is empty.", out error, out message);
        }

        if (token.Length > MaxTokenLength)
        {
            return Fail(ContextTokenError.Oversized, $"The causal context token is {token.Length} characters long; the limit is {MaxTokenLength}.", out error, out message);
        }

        if (!Base64Url.IsValid(token, out var length) || !IsCanonical(token))
        {
            return Fail(ContextTokenError.NotBase64Url, "The causal context token is not canonical base64url text.", out error, out message);
        }

        Span<byte> bytes = stackalloc byte[length];
        Base64Url.DecodeFromChars(token, bytes);
        if (bytes.Length < 1 + 1 + MacLength)
        {
            return Fail(ContextTokenError.Truncated, "The causal context token is too short to be a token.", out error, out message);
        }

        var payload = bytes[..^MacLength];
        Span<byte> expected = stackalloc byte[MacLength];
        ComputeMac(payload, @namespace, key, expected);
        if (!CryptographicOperations.FixedTimeEquals(expected, bytes[^MacLength..]))
        {
            return Fail(ContextTokenError.BadSignature, "The causal context token's signature does not match: it was altered, truncated, signed with another key, or issued for another record.", out error, out message);
        }

        if (payload[0] != FormatVersion)
        {
            return Fail(ContextTokenError.UnsupportedVersion, $"The causal context token has format version {payload[0]}; this service reads version {FormatVersion}.", out error, out message);
        }

        try
        {
            var reader = new ByteReader(payload[1..]);
            var vector = CausalBinaryCodec.ReadVector(ref reader, MaxEntries);
            reader.EnsureEnd();
            context = vector;
        }
        catch (InvalidDataException e)
        {
            return Fail(ContextTokenError.Malformed, $"The causal context token is malformed: {e.Message}", out error, out message);
        }

        error = ContextTokenError.None;
        message = string.Empty;
        return true;
    }

    private void ComputeMac(ReadOnlySpan<byte> payload, string @namespace, string key, Span<byte> destination)
    {
        // HMAC over domain label ‖ len(ns) ‖ ns ‖ len(key) ‖ key ‖ payload, assembled in one buffer.
        var nsBytes = Encoding.UTF8.GetByteCount(@namespace);
        var keyBytes = Encoding.UTF8.GetByteCount(key);
        var length = DomainLabel.Length + 4 + nsBytes + 4 + keyBytes + payload.Length;
        byte[]? rented = null;
        var input = length <= 1024 ? stackalloc byte[length] : (rented = System.Buffers.ArrayPool<byte>.Shared.Rent(length)).AsSpan(0, length);
        try
        {
            var at = 0;
            DomainLabel.CopyTo(input);
            at += DomainLabel.Length;
            at += WriteLengthPrefixed(input[at..], @namespace, nsBytes);
            at += WriteLengthPrefixed(input[at..], key, keyBytes);
            payload.CopyTo(input[at..]);
            Span<byte> full = stackalloc byte[HMACSHA256.HashSizeInBytes];
            if (!_hmac.Value!.TryComputeHash(input, full, out _))
            {
                throw new CryptographicException("HMAC-SHA256 did not produce a full hash.");
            }
            full[..MacLength].CopyTo(destination);
        }
        finally
        {
            if (rented is not null)
            {
                System.Buffers.ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    private static int WriteLengthPrefixed(Span<byte> destination, string text, int byteCount)
    {
        System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(destination, byteCount);
        Encoding.UTF8.GetBytes(text, destination[4..]);
        return 4 + byteCount;
    }

    /// <summary>
    /// Base64url has unused low bits in its last character; a token whose unused bits are set decodes to the
    /// same bytes as the genuine one. Refusing them makes every altered token a refused token.
    /// </summary>
    private static bool IsCanonical(string token)
    {
        if (token.Contains('='))
        {
            return false;
        }

        var unusedBits = (token.Length % 4) switch
        {
            2 => 4,
            3 => 2,
            _ => 0,
        };
        if (unusedBits == 0)
        {
            return token.Length % 4 == 0;
        }

        var last = SextetOf(token[^1]);
        return (last & ((1 << unusedBits) - 1)) == 0;
    }

    private static int SextetOf(char c) => c switch
    {
        >= 'A' and <= 'Z' => c - 'A',
        >= 'a' and <= 'z' => c - 'a' + 26,
        >= '0' and <= '9' => c - '0' + 52,
        '-' => 62,
        '_' => 63,
        _ => -1,
    };

    private static bool Fail(ContextTokenError reason, string text, out ContextTokenError error, out string message)
    {
        error = reason;
        message = text;
        return false;
    }
}
