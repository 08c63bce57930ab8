using OrleansCausal.Core.Serialization;
using static OrleansCausal.Core.Tests.TestReplicas;

namespace OrleansCausal.Core.Tests;

/// <summary>The one format change of operation ids: bin flag 4 and record format version 2, old bytes unchanged.</summary>
public sealed class OperationCodecTests
{
    [Fact]
    public void Bin_WithOperationId_RoundTripsIt()
    {
        var bin = new Bin(Dot(B, 1), "\"10D\"", VersionVector.Empty, T0, writer: "phone", operationId: "msg-7f3a");

        var decoded = CausalBinaryCodec.DecodeBin(CausalBinaryCodec.EncodeBin(bin));

        Assert.Equal(bin, decoded);
        Assert.Equal("msg-7f3a", decoded.OperationId);
        Assert.NotEqual(bin, new Bin(Dot(B, 1), "\"10D\"", VersionVector.Empty, T0, writer: "phone", operationId: "msg-other"));
    }

    [Fact]
    public void Bin_WithoutOperationId_EncodesAsBeforeOperationIdsExisted()
    {
        var plain = new Bin(Dot(A, 2), "true", Vector((A, 1)), T0, writer: "w");
        var bytes = CausalBinaryCodec.EncodeBin(plain);
        var withId = CausalBinaryCodec.EncodeBin(new Bin(Dot(A, 2), "true", Vector((A, 1)), T0, writer: "w", operationId: "op"));

        Assert.Null(CausalBinaryCodec.DecodeBin(bytes).OperationId);
        Assert.Equal(bytes.Length + 3, withId.Length);
    }

    [Fact]
    public void Record_WithRememberedOperations_RoundTripsAsVersion2_AndWithoutAsVersion1()
    {
        var first = CausalRecord.Empty.Put(A, "\"12F\"", VersionVector.Empty, T0, operationId: "browser-1").Record;
        var superseded = first.Put(A, "\"10F\"", first.Context, T0.AddSeconds(1), operationId: "browser-2").Record;
        var plain = CausalRecord.Empty.Put(A, "\"12F\"", VersionVector.Empty, T0).Record;

        var encoded = CausalBinaryCodec.EncodeRecord(superseded);
        var decoded = CausalBinaryCodec.DecodeRecord(encoded);

        Assert.Equal(CausalBinaryCodec.RecordWithOperationsFormatVersion, encoded[0]);
        Assert.Equal(superseded, decoded);
        Assert.Equal(["browser-1", "browser-2"], decoded.Operations.Select(o => o.Id));
        Assert.Equal(CausalBinaryCodec.RecordFormatVersion, CausalBinaryCodec.EncodeRecord(plain)[0]);
        Assert.Equal(plain, CausalBinaryCodec.DecodeRecord(CausalBinaryCodec.EncodeRecord(plain)));
    }

    [Fact]
    public void Operations_RoundTrip_AndRefuseUnsortedOrInvalidEntries()
    {
        RememberedOperation[] operations = [new("x", Dot(A, 1), T0), new("y", Dot(B, 4), T0.AddMinutes(1))];
        var bytes = CausalBinaryCodec.EncodeOperations(operations);

        Assert.Equal(operations, CausalBinaryCodec.DecodeOperations(bytes));
        Assert.Throws<InvalidDataException>(() => CausalBinaryCodec.DecodeOperations(CausalBinaryCodec.EncodeOperations([.. operations.Reverse()])));
        Assert.Throws<InvalidDataException>(() => CausalBinaryCodec.DecodeOperations(CausalBinaryCodec.EncodeOperations([new(" padded", Dot(A, 1), T0)])));
    }

    [Theory]
    [InlineData("")]
    [InlineData(" leading")]
    [InlineData("trailing ")]
    [InlineData("tab\there")]
    [InlineData("ünïcode")]
    public void OperationId_OutsidePrintableAscii_IsInvalid(string id)
    {
        Assert.False(OperationIds.IsValid(id));
        Assert.NotNull(OperationIds.Describe(id));
        Assert.Throws<ArgumentException>(() => new Bin(Dot(A, 1), "1", VersionVector.Empty, T0, operationId: id));
    }

    [Fact]
    public void OperationId_OfMaxLengthPrintableAscii_IsValid_AndOneMoreIsNot()
    {
        var printable = new string(Enumerable.Range(' ' + 1, '~' - ' ').Select(c => (char)c).ToArray());
        Assert.True(OperationIds.IsValid(printable));
        Assert.True(OperationIds.IsValid("a b"));
        Assert.True(OperationIds.IsValid(new string('k', OperationIds.MaxLength)));
        Assert.False(OperationIds.IsValid(new string('k', OperationIds.MaxLength + 1)));
    }
}
