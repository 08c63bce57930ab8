using OrleansCausal.Core;
using OrleansCausal.Core.Serialization;
using static OrleansCausal.Core.Tests.TestReplicas;

namespace OrleansCausal.Core.Tests;

public sealed class CausalBinaryCodecTests
{
    [Fact]
    public void Record_RoundTrips_WithTombstonesAndUnicode()
    {
        var record = CausalRecord.Empty.Put(A, "{\"seat\":\"12F\",\"name\":\"Zoë\"}", VersionVector.Empty, T0).Record;
        record = record.Merge([new Bin(Dot(B, 1), null, Vector((C, 4)), T0.AddMilliseconds(5))]).Record;
        var decoded = CausalBinaryCodec.DecodeRecord(CausalBinaryCodec.EncodeRecord(record));
        Assert.Equal(record, decoded);
        Assert.Equal(CausalRecord.Empty, CausalBinaryCodec.DecodeRecord(CausalBinaryCodec.EncodeRecord(CausalRecord.Empty)));
    }

    [Fact]
    public void Record_WhenTruncatedOrExtended_IsRefused()
    {
        var record = CausalRecord.Empty.Put(A, "1", Vector((B, 3)), T0).Record;
        var bytes = CausalBinaryCodec.EncodeRecord(record);
        for (var length = 0; length < bytes.Length; length++)
        {
            Assert.Throws<InvalidDataException>(() => CausalBinaryCodec.DecodeRecord(bytes.AsSpan(0, length)));
        }

        Assert.Throws<InvalidDataException>(() => CausalBinaryCodec.DecodeRecord([.. bytes, 0]));
    }

    [Fact]
    public void Bin_RoundTrips()
    {
        var bin = new Bin(Dot(A, 9), "[1,2,3]", Vector((A, 8), (B, 2)), T0);
        Assert.Equal(bin, CausalBinaryCodec.DecodeBin(CausalBinaryCodec.EncodeBin(bin)));
    }
}
