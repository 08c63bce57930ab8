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

    [Fact]
    public void Bin_WithWriter_RoundTripsItsWriter()
    {
        var value = new Bin(Dot(A, 3), "\"5C\"", Vector((B, 1)), T0, writer: "check-in-agent");
        var tombstone = new Bin(Dot(A, 4), null, Vector((A, 3)), T0, writer: "Zoë's batch job");

        Assert.Equal(value, CausalBinaryCodec.DecodeBin(CausalBinaryCodec.EncodeBin(value)));
        Assert.Equal("Zoë's batch job", CausalBinaryCodec.DecodeBin(CausalBinaryCodec.EncodeBin(tombstone)).Writer);
        Assert.NotEqual(value, new Bin(Dot(A, 3), "\"5C\"", Vector((B, 1)), T0, writer: "someone-else"));
    }

    [Fact]
    public void Bin_EncodedBeforeWritersWereRecorded_DecodesWithoutWriter()
    {
        // The format of bins written before writers were recorded: flags carry only the tombstone bit, and the
        // bytes are exactly those of a bin without a writer today (old feeds, rows and batches stay readable).
        var old = new Bin(Dot(A, 9), "[1,2,3]", Vector((A, 8)), T0);
        var bytes = CausalBinaryCodec.EncodeBin(old);
        var withWriter = CausalBinaryCodec.EncodeBin(new Bin(Dot(A, 9), "[1,2,3]", Vector((A, 8)), T0, writer: "w"));

        Assert.Null(CausalBinaryCodec.DecodeBin(bytes).Writer);
        Assert.Equal(bytes.Length + 2, withWriter.Length);
    }

    [Fact]
    public void Bin_WithUnknownFlag_IsRefused()
    {
        var bytes = CausalBinaryCodec.EncodeBin(new Bin(Dot(A, 1), "1", VersionVector.Empty, T0));
        var flags = bytes.Length - 1 - 1 - 1 - 8 - 1;
        Assert.Equal(0, bytes[flags]);
        bytes[flags] = 8; // 1, 2 and 4 are known (tombstone, writer, operation id)

        Assert.Throws<InvalidDataException>(() => CausalBinaryCodec.DecodeBin(bytes));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(Bin.MaxWriterLength + 1)]
    public void Bin_WithWriterNameOutOfBounds_IsRefused(int length) =>
        Assert.Throws<ArgumentException>(() => new Bin(Dot(A, 1), "1", VersionVector.Empty, T0, writer: new string('w', length)));
}
