using OrleansCausal.Core;
using OrleansCausal.Core.Serialization;

namespace OrleansCausal.Runtime.Serialization;

/// <summary>How a <see cref="VersionVector"/> (a causal context) crosses silos: the core's binary encoding.</summary>
[GenerateSerializer]
public struct VersionVectorSurrogate
{
    [Id(0)]
    public byte[] Encoded;
}

[RegisterConverter]
public sealed class VersionVectorSurrogateConverter : IConverter<VersionVector, VersionVectorSurrogate>
{
    public VersionVector ConvertFromSurrogate(in VersionVectorSurrogate surrogate) => CausalBinaryCodec.DecodeVector(surrogate.Encoded);

    public VersionVectorSurrogate ConvertToSurrogate(in VersionVector value) => new() { Encoded = CausalBinaryCodec.EncodeVector(value) };
}
