using OrleansCausal.Core;
using OrleansCausal.Core.Serialization;

namespace OrleansCausal.Runtime.Serialization;

/// <summary>How a <see cref="CausalRecord"/> crosses silos: the core's own binary encoding, so the pure core needs
/// no Orleans reference. In-process calls never copy it (the grain messages that carry it are immutable).</summary>
[GenerateSerializer]
public struct CausalRecordSurrogate
{
    [Id(0)]
    public byte[] Encoded;
}

[RegisterConverter]
public sealed class CausalRecordSurrogateConverter : IConverter<CausalRecord, CausalRecordSurrogate>
{
    public CausalRecord ConvertFromSurrogate(in CausalRecordSurrogate surrogate) => CausalBinaryCodec.DecodeRecord(surrogate.Encoded);

    public CausalRecordSurrogate ConvertToSurrogate(in CausalRecord value) => new() { Encoded = CausalBinaryCodec.EncodeRecord(value) };
}
