using OrleansCausal.Core.Tokens;

namespace OrleansCausal.Gateway.Hosting;

/// <summary>Holds the <see cref="ContextTokenCodec"/>, set at start once the signing key is known (it may be read
/// from or generated into a file next to the data file).</summary>
public sealed class ContextTokens
{
    private ContextTokenCodec? _codec;

    public ContextTokenCodec Codec => Volatile.Read(ref _codec) ?? throw new InvalidOperationException("The silo has not started: no context signing key yet.");

    internal void Set(ContextTokenCodec codec) => Volatile.Write(ref _codec, codec);
}
