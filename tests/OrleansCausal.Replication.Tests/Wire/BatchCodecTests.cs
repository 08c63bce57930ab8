using OrleansCausal.Core;
using OrleansCausal.Replication.Wire;
using OrleansCausal.Storage;

namespace OrleansCausal.Replication.Tests.Wire;

public sealed class BatchCodecTests
{
    private static readonly ReplicaId A = new(RegionId.Parse("A"), 0x0000_00a1);
    private static readonly ReplicaId B = new(RegionId.Parse("B"), 0x0000_00b1);

    private static ReplicationBatch SampleBatch() => new(A.ToString(), 4, 7,
    [
        new KeyedBin(new RecordKey("flights", "seat/42"), new Bin(new Dot(A, 3), "\"12F\"", VersionVector.Of(new VectorEntry(B, 1)), DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_123))),
        new KeyedBin(new RecordKey("flights", "seat/43"), new Bin(new Dot(A, 1), null, VersionVector.Empty, DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_456))),
        new KeyedBin(new RecordKey("ünïcode", "kéy"), new Bin(new Dot(A, 9), "{\"a\":[1,2]}", VersionVector.Of(new VectorEntry(A, 8), new VectorEntry(B, 4)), DateTimeOffset.FromUnixTimeMilliseconds(0))),
    ]);

    [Fact]
    public void DecodeBatch_OfEncodedBatch_ReturnsEqualBatch()
    {
        var batch = SampleBatch();

        var decoded = BatchCodec.DecodeBatch(BatchCodec.Encode(batch));

        Assert.Equal(batch.Source, decoded.Source);
        Assert.Equal(batch.After, decoded.After);
        Assert.Equal(batch.Through, decoded.Through);
        Assert.Equal(batch.Bins, decoded.Bins);
    }

    [Fact]
    public void DecodeResend_OfEncodedResend_KeepsBinsOfEveryReplica()
    {
        var resend = new ResendBatch(B.ToString(), SampleBatch().Bins);

        var decoded = BatchCodec.DecodeResend(BatchCodec.Encode(resend));

        Assert.Equal(resend.Source, decoded.Source);
        Assert.Equal(resend.Bins, decoded.Bins);
    }

    [Fact]
    public void DecodeBatch_WhenTruncatedAnywhere_ThrowsFormatError()
    {
        var body = BatchCodec.Encode(SampleBatch());

        for (var length = 0; length < body.Length; length++)
        {
            Assert.Throws<BatchFormatException>(() => BatchCodec.DecodeBatch(body.AsSpan(0, length)));
        }
    }

    [Fact]
    public void DecodeBatch_WithTrailingBytes_ThrowsFormatError()
    {
        var body = BatchCodec.Encode(SampleBatch()).Append((byte)0).ToArray();

        var error = Assert.Throws<BatchFormatException>(() => BatchCodec.DecodeBatch(body));
        Assert.Contains("trailing", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void DecodeBatch_WhenFeedBatchCarriesAnotherReplicasBin_ThrowsFormatError()
    {
        var batch = SampleBatch();
        var foreign = batch with { Bins = [.. batch.Bins, new KeyedBin(new RecordKey("n", "k"), new Bin(new Dot(B, 2), "1", VersionVector.Empty, DateTimeOffset.UnixEpoch))], Through = 9 };

        var error = Assert.Throws<BatchFormatException>(() => BatchCodec.DecodeBatch(BatchCodec.Encode(foreign)));
        Assert.Contains("another replica", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void DecodeBatch_WhenThroughBeforeAfter_ThrowsFormatError()
    {
        var batch = SampleBatch() with { After = 10, Through = 7 };

        Assert.Throws<BatchFormatException>(() => BatchCodec.DecodeBatch(BatchCodec.Encode(batch)));
    }

    [Fact]
    public void DecodeBatch_WhenMoreBinsThanSequences_ThrowsFormatError()
    {
        var batch = SampleBatch() with { After = 6, Through = 7 };

        Assert.Throws<BatchFormatException>(() => BatchCodec.DecodeBatch(BatchCodec.Encode(batch)));
    }

    [Fact]
    public void DecodeBatch_OfResendBody_RefusesTheKind()
    {
        var body = BatchCodec.Encode(new ResendBatch(A.ToString(), []));

        var error = Assert.Throws<BatchFormatException>(() => BatchCodec.DecodeBatch(body));
        Assert.Contains("resend", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void DecodeBatch_WhenSourceIsNotAReplicaId_ThrowsFormatError()
    {
        var body = BatchCodec.Encode(SampleBatch() with { Source = "not a replica", Bins = [] });

        Assert.Throws<BatchFormatException>(() => BatchCodec.DecodeBatch(body));
    }

    [Fact]
    public void Decode_OfRandomMutations_ThrowsOnlyFormatErrors()
    {
        var seed = Environment.TickCount;
        var random = new Random(seed);
        var body = BatchCodec.Encode(SampleBatch());
        for (var i = 0; i < 2000; i++)
        {
            var mutated = (byte[])body.Clone();
            var flips = random.Next(1, 4);
            for (var f = 0; f < flips; f++)
            {
                mutated[random.Next(mutated.Length)] ^= (byte)random.Next(1, 256);
            }

            try
            {
                BatchCodec.DecodeBatch(mutated);
            }
            catch (BatchFormatException)
            {
            }
            catch (Exception e)
            {
                Assert.Fail($"Seed {seed}, iteration {i}: a mutated body threw {e.GetType().Name} instead of BatchFormatException: {e.Message}");
            }
        }
    }
}
