using System.Buffers.Text;
using OrleansCausal.Core;
using OrleansCausal.Core.Tokens;
using static OrleansCausal.Core.Tests.TestReplicas;

namespace OrleansCausal.Core.Tests;

public sealed class ContextTokenTests
{
    private const string Key = "a-test-signing-key-that-is-long-enough-1234";
    private readonly ContextTokenCodec _codec = new(Key);
    private readonly VersionVector _context = Vector((Replica("eu-west", 0x1a2b3c4d), 17), (Replica("us-east", 0x55aa55aa), 300), (Replica("ap-south", 0x01020304), 2));

    [Fact]
    public void Encode_ThenDecode_RoundTrips()
    {
        var token = _codec.Encode(_context, "seats", "flight-42");
        Assert.Equal(_context, _codec.Decode(token, "seats", "flight-42"));
        Assert.Equal(VersionVector.Empty, _codec.Decode(_codec.Encode(VersionVector.Empty, "n", "k"), "n", "k"));
    }

    [Fact]
    public void Encode_ForThreeRegions_IsSmall()
    {
        var token = _codec.Encode(_context, "seats", "flight-42");
        Assert.True(token.Length <= 96, $"token is {token.Length} characters: {token}");
    }

    [Fact]
    public void Decode_WhenAnySingleBitIsFlipped_Refuses()
    {
        var token = _codec.Encode(_context, "seats", "flight-42");
        var bytes = Base64Url.DecodeFromChars(token);
        for (var bit = 0; bit < bytes.Length * 8; bit++)
        {
            var tampered = (byte[])bytes.Clone();
            tampered[bit / 8] ^= (byte)(1 << (bit % 8));
            var text = Base64Url.EncodeToString(tampered);
            Assert.False(_codec.TryDecode(text, "seats", "flight-42", out var context, out var error, out _), $"bit {bit} flipped was accepted");
            Assert.Equal(VersionVector.Empty, context);
            Assert.NotEqual(ContextTokenError.None, error);
        }
    }

    [Fact]
    public void Decode_WhenAnyCharacterIsChanged_Refuses()
    {
        var token = _codec.Encode(_context, "seats", "flight-42");
        const string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        for (var i = 0; i < token.Length; i++)
        {
            foreach (var c in alphabet.Where(c => c != token[i]))
            {
                var text = token[..i] + c + token[(i + 1)..];
                Assert.False(_codec.TryDecode(text, "seats", "flight-42", out _, out _, out _), $"'{text}' was accepted");
            }
        }
    }

    [Fact]
    public void Decode_WhenTruncated_Refuses()
    {
        var token = _codec.Encode(_context, "seats", "flight-42");
        for (var length = 0; length < token.Length; length++)
        {
            var error = Assert.Throws<ContextTokenException>(() => _codec.Decode(token[..length], "seats", "flight-42"));
            Assert.Contains(error.Error, new[] { ContextTokenError.Empty, ContextTokenError.NotBase64Url, ContextTokenError.Truncated, ContextTokenError.BadSignature });
        }
    }

    [Theory]
    [InlineData("not a token", ContextTokenError.NotBase64Url)]
    [InlineData("====", ContextTokenError.NotBase64Url)]
    [InlineData("AAAA", ContextTokenError.Truncated)]
    [InlineData("", ContextTokenError.Empty)]
    public void Decode_WhenGarbage_NamesTheReason(string token, ContextTokenError expected)
    {
        var error = Assert.Throws<ContextTokenException>(() => _codec.Decode(token, "n", "k"));
        Assert.Equal(expected, error.Error);
    }

    [Fact]
    public void Decode_WhenOversized_Refuses()
    {
        var error = Assert.Throws<ContextTokenException>(() => _codec.Decode(new string('A', ContextTokenCodec.MaxTokenLength + 4), "n", "k"));
        Assert.Equal(ContextTokenError.Oversized, error.Error);
    }

    [Fact]
    public void Decode_WhenRandomGarbage_NeverThrowsAnythingElse()
    {
        var seed = Environment.TickCount;
        var random = new Random(seed);
        for (var i = 0; i < 2000; i++)
        {
            var bytes = new byte[random.Next(0, 80)];
            random.NextBytes(bytes);
            var text = Base64Url.EncodeToString(bytes);
            Assert.False(_codec.TryDecode(text, "n", "k", out _, out var error, out var message), $"seed {seed}: garbage accepted");
            Assert.NotEqual(ContextTokenError.None, error);
            Assert.False(string.IsNullOrEmpty(message));
        }
    }

    [Fact]
    public void Decode_WhenSignedWithAnotherKeyOrForAnotherRecord_Refuses()
    {
        var token = _codec.Encode(_context, "seats", "flight-42");
        var other = new ContextTokenCodec("another-signing-key-that-is-long-enough-5678");
        Assert.Equal(ContextTokenError.BadSignature, Assert.Throws<ContextTokenException>(() => other.Decode(token, "seats", "flight-42")).Error);
        Assert.Equal(ContextTokenError.BadSignature, Assert.Throws<ContextTokenException>(() => _codec.Decode(token, "seats", "flight-43")).Error);
        Assert.Equal(ContextTokenError.BadSignature, Assert.Throws<ContextTokenException>(() => _codec.Decode(token, "seat", "sflight-42")).Error);
    }

    [Fact]
    public void Constructor_WhenKeyIsShort_Refuses()
    {
        Assert.Throws<ArgumentException>(() => new ContextTokenCodec("short"));
    }
}
