using OrleansCausal.Core;
using OrleansCausal.Replication.Wire;
using OrleansCausal.Storage;

namespace OrleansCausal.Replication.Tests.Wire;

/// <summary>Operation ids on the wire (issue #16): a bin's id travels inside the bin, a record's remembered operations
/// travel in a trailing section of a full resend that is absent — bytes unchanged — when no record has any.</summary>
public sealed class BatchCodecOperationsTests
{
    private static readonly ReplicaId A = new(RegionId.Parse("A"), 0x0000_00a1);
    private static readonly ReplicaId B = new(RegionId.Parse("B"), 0x0000_00b1);
    private static readonly DateTimeOffset At = DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_123);

    [Fact]
    public void DecodeResend_WithRememberedOperations_ReturnsThemOnTheirEntries()
    {
        var first = CausalRecord.Empty.Put(A, "\"10D\"", VersionVector.Empty, At, operationId: "msg-1").Record;
        var record = first.Put(A, "\"10F\"", first.Context, At.AddSeconds(1), operationId: "msg-2").Record
            .Merge([new Bin(new Dot(B, 1), "\"12F\"", VersionVector.Empty, At, operationId: "msg-3")]).Record;
        var key = new RecordKey("flights", "pax-1");
        KeyedBin[] bins =
        [
            new KeyedBin(key, record.Bins[0]) { Operations = record.Operations },
            new KeyedBin(key, record.Bins[1]),
            new KeyedBin(new RecordKey("flights", "plain"), new Bin(new Dot(A, 1), "1", VersionVector.Empty, At)),
        ];

        var decoded = BatchCodec.DecodeResend(BatchCodec.Encode(new ResendBatch(B.ToString(), bins)));

        Assert.Equal(bins, decoded.Bins);
        Assert.Equal(["msg-1", "msg-2", "msg-3"], decoded.Bins[0].Operations.Select(o => o.Id));
        Assert.Equal(["msg-2", "msg-3"], decoded.Bins.Take(2).Select(k => k.Bin.OperationId));
        Assert.Empty(decoded.Bins[1].Operations);
    }

    [Fact]
    public void Encode_WithoutRememberedOperations_WritesNoSection()
    {
        var plain = new ResendBatch(B.ToString(), [new KeyedBin(new RecordKey("n", "k"), new Bin(new Dot(A, 1), "1", VersionVector.Empty, At))]);
        var withEmpty = plain with { Bins = [plain.Bins[0] with { Operations = [] }] };
        var withOne = plain with { Bins = [plain.Bins[0] with { Operations = [new RememberedOperation("op", new Dot(A, 1), At)] }] };

        Assert.Equal(BatchCodec.Encode(plain), BatchCodec.Encode(withEmpty));
        Assert.True(BatchCodec.Encode(withOne).Length > BatchCodec.Encode(plain).Length);
    }

    [Fact]
    public void DecodeResend_WithOperationsNamingAMissingEntry_IsRefused()
    {
        var resend = new ResendBatch(B.ToString(),
            [new KeyedBin(new RecordKey("n", "k"), new Bin(new Dot(A, 1), "1", VersionVector.Empty, At)) { Operations = [new RememberedOperation("op", new Dot(A, 1), At)] }]);
        var body = BatchCodec.Encode(resend);
        var operations = Core.Serialization.CausalBinaryCodec.EncodeOperations(resend.Bins[0].Operations);

        // The section ends the body: count (1), entry index (0), length, the operations. Point the index past the only entry.
        var index = body.Length - operations.Length - 2;
        Assert.Equal(0, body[index]);
        body[index] = 5;

        Assert.Throws<BatchFormatException>(() => BatchCodec.DecodeResend(body));
    }
}
