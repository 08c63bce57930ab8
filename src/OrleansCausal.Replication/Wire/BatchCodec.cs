using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using OrleansCausal.Core;
using OrleansCausal.Core.Serialization;
using OrleansCausal.Storage;

namespace OrleansCausal.Replication.Wire;

/// <summary>
/// The binary body of replication requests (content type <see cref="ContentType"/>), format version 1:
/// <code>
/// body   := magic:"OCRB" version:u8=1 kind:u8 source:string [after:varint through:varint] count:varint entry*
///           [operations]
///           -- after/through only for kind 1 (feed batch); kind 2 is a full resend
/// entry  := namespace:string key:string binLength:varint bin   -- bin as CausalBinaryCodec.EncodeBin
/// operations := withCount:varint (entryIndex:varint length:varint remembered)*
///           -- the remembered operations a full resend sends with the first entry of each record (entry indexes
///           -- strictly increasing; remembered as CausalBinaryCodec.EncodeOperations); present only when some entry
///           -- carries any, so bodies without operation ids are byte for byte those of builds before them
/// string := byteLength:varint utf8
/// </code>
/// Varints are unsigned LEB128. Decoding is strict: every length is bounded, UTF-8 must be valid, bins are
/// decoded (and checked) by the core codec, no trailing bytes; a feed batch may only carry the source's own dots.
/// Any violation throws <see cref="BatchFormatException"/>.
/// </summary>
public static class BatchCodec
{
    public const string ContentType = "application/x-orleanscausal-batch";
    public const int MaxEntries = 100_000;
    public const int MaxNameBytes = 4096;
    public const int MaxBinBytes = 64 * 1024 * 1024;

    private const byte Version = 1;
    private const byte KindFeed = 1;
    private const byte KindResend = 2;
    private static readonly byte[] Magic = "OCRB"u8.ToArray();
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static byte[] Encode(ReplicationBatch batch)
    {
        var writer = new ArrayBufferWriter<byte>(256);
        WriteHeader(writer, KindFeed, batch.Source);
        WriteVarUInt(writer, (ulong)batch.After);
        WriteVarUInt(writer, (ulong)batch.Through);
        WriteEntries(writer, batch.Bins);
        return writer.WrittenSpan.ToArray();
    }

    public static byte[] Encode(ResendBatch batch)
    {
        var writer = new ArrayBufferWriter<byte>(256);
        WriteHeader(writer, KindResend, batch.Source);
        WriteEntries(writer, batch.Bins);
        return writer.WrittenSpan.ToArray();
    }

    public static ReplicationBatch DecodeBatch(ReadOnlySpan<byte> body)
    {
        var reader = new SpanReader(body);
        var source = ReadHeader(ref reader, KindFeed);
        var after = ReadSequence(ref reader, "after");
        var through = ReadSequence(ref reader, "through");
        if (through < after)
        {
            throw new BatchFormatException($"The batch's 'through' ({through}) is before its 'after' ({after}).");
        }

        var bins = ReadEntries(ref reader);
        if (bins.Count > through - after)
        {
            throw new BatchFormatException($"The batch carries {bins.Count} bins but covers only {through - after} feed sequences.");
        }

        foreach (var keyed in bins)
        {
            if (keyed.Bin.Dot.Replica != source)
            {
                throw new BatchFormatException(
                    $"The feed batch from {source} carries bin {keyed.Bin.Dot} of another replica; a feed batch holds only the source's own bins.");
            }
        }

        return new ReplicationBatch(source.ToString(), after, through, bins);
    }

    public static ResendBatch DecodeResend(ReadOnlySpan<byte> body)
    {
        var reader = new SpanReader(body);
        var source = ReadHeader(ref reader, KindResend);
        return new ResendBatch(source.ToString(), ReadEntries(ref reader));
    }

    private static void WriteHeader(ArrayBufferWriter<byte> writer, byte kind, string source)
    {
        writer.Write(Magic);
        writer.Write([Version, kind]);
        WriteString(writer, source);
    }

    private static void WriteEntries(ArrayBufferWriter<byte> writer, IReadOnlyList<KeyedBin> bins)
    {
        WriteVarUInt(writer, (ulong)bins.Count);
        foreach (var keyed in bins)
        {
            WriteString(writer, keyed.Key.Namespace);
            WriteString(writer, keyed.Key.Key);
            var bin = CausalBinaryCodec.EncodeBin(keyed.Bin);
            WriteVarUInt(writer, (ulong)bin.Length);
            writer.Write(bin);
        }

        var withOperations = 0;
        foreach (var keyed in bins)
        {
            withOperations += keyed.Operations.Count > 0 ? 1 : 0;
        }

        if (withOperations == 0)
        {
            return;
        }

        WriteVarUInt(writer, (ulong)withOperations);
        for (var i = 0; i < bins.Count; i++)
        {
            if (bins[i].Operations.Count > 0)
            {
                var operations = CausalBinaryCodec.EncodeOperations(bins[i].Operations);
                WriteVarUInt(writer, (ulong)i);
                WriteVarUInt(writer, (ulong)operations.Length);
                writer.Write(operations);
            }
        }
    }

    private static void WriteString(ArrayBufferWriter<byte> writer, string value)
    {
        var bytes = Encoding.UTF8.GetBytes(value);
        WriteVarUInt(writer, (ulong)bytes.Length);
        writer.Write(bytes);
    }

    private static void WriteVarUInt(ArrayBufferWriter<byte> writer, ulong value)
    {
        var span = writer.GetSpan(10);
        var i = 0;
        while (value >= 0x80)
        {
            span[i++] = (byte)(value | 0x80);
            value >>= 7;
        }

        span[i++] = (byte)value;
        writer.Advance(i);
    }

    private static ReplicaId ReadHeader(ref SpanReader reader, byte expectedKind)
    {
        if (!reader.Take(Magic.Length).SequenceEqual(Magic))
        {
            throw new BatchFormatException("The body is not a replication batch (bad magic).");
        }

        var version = reader.Take(1)[0];
        if (version != Version)
        {
            throw new BatchFormatException($"Unknown batch format version {version}; this build reads version {Version}.");
        }

        var kind = reader.Take(1)[0];
        if (kind != expectedKind)
        {
            throw new BatchFormatException(
                $"The body is a {(kind == KindFeed ? "feed batch" : kind == KindResend ? "resend" : $"kind {kind}")} body; this endpoint takes a {(expectedKind == KindFeed ? "feed batch" : "resend")}.");
        }

        var source = ReadString(ref reader, "source", ReplicaIdMaxBytes);
        if (!ReplicaId.TryParse(source, out var replica))
        {
            throw new BatchFormatException($"The source '{source}' is not a replica id of the form 'region.epoch'.");
        }

        return replica;
    }

    private const int ReplicaIdMaxBytes = RegionId.MaxLength + 9;

    private static long ReadSequence(ref SpanReader reader, string name)
    {
        var value = reader.ReadVarUInt();
        if (value > long.MaxValue)
        {
            throw new BatchFormatException($"The batch's '{name}' sequence is out of range.");
        }

        return (long)value;
    }

    private static List<KeyedBin> ReadEntries(ref SpanReader reader)
    {
        var count = reader.ReadCount(MaxEntries, "entry count");
        var bins = new List<KeyedBin>(Math.Min(count, 1024));
        for (var i = 0; i < count; i++)
        {
            var ns = ReadString(ref reader, "namespace", MaxNameBytes);
            var key = ReadString(ref reader, "key", MaxNameBytes);
            if (ns.Length == 0 || key.Length == 0)
            {
                throw new BatchFormatException($"Entry {i} has an empty namespace or key.");
            }

            var length = reader.ReadCount(MaxBinBytes, "bin length");
            var binBytes = reader.Take(length);
            Bin bin;
            try
            {
                bin = CausalBinaryCodec.DecodeBin(binBytes);
            }
            catch (InvalidDataException e)
            {
                throw new BatchFormatException($"Entry {i} ({ns}/{key}) holds a malformed bin: {e.Message}", e);
            }

            bins.Add(new KeyedBin(new RecordKey(ns, key), bin));
        }

        if (reader.Remaining != 0)
        {
            ReadOperations(ref reader, bins);
        }

        if (reader.Remaining != 0)
        {
            throw new BatchFormatException($"{reader.Remaining} unexpected trailing bytes after the remembered operations.");
        }

        return bins;
    }

    private static void ReadOperations(ref SpanReader reader, List<KeyedBin> bins)
    {
        var count = reader.ReadCount(bins.Count, "count of entries with remembered operations");
        if (count == 0)
        {
            // The section is written only when some entry has operations: a zero count is stray trailing bytes.
            throw new BatchFormatException($"{reader.Remaining + 1} unexpected trailing bytes after the last entry.");
        }

        var previous = -1;
        for (var i = 0; i < count; i++)
        {
            var index = reader.ReadCount(bins.Count - 1, "entry index of remembered operations");
            if (index <= previous)
            {
                throw new BatchFormatException($"Remembered operations name entry {index} after entry {previous}; indexes must increase.");
            }

            previous = index;
            var length = reader.ReadCount(MaxBinBytes, "remembered operations length");
            try
            {
                bins[index] = bins[index] with { Operations = CausalBinaryCodec.DecodeOperations(reader.Take(length)) };
            }
            catch (InvalidDataException e)
            {
                throw new BatchFormatException($"The remembered operations of entry {index} ({bins[index].Key}) are malformed: {e.Message}", e);
            }
        }
    }

    private static string ReadString(ref SpanReader reader, string what, int maxBytes)
    {
        var length = reader.ReadCount(maxBytes, what + " length");
        var bytes = reader.Take(length);
        try
        {
            return StrictUtf8.GetString(bytes);
        }
        catch (DecoderFallbackException e)
        {
            throw new BatchFormatException($"The {what} is not valid UTF-8.", e);
        }
    }

    private ref struct SpanReader(ReadOnlySpan<byte> data)
    {
        private readonly ReadOnlySpan<byte> _data = data;
        private int _position;

        public readonly int Remaining => _data.Length - _position;

        public ReadOnlySpan<byte> Take(int count)
        {
            if (count > Remaining)
            {
                throw new BatchFormatException("The body ends early.");
            }

            var slice = _data.Slice(_position, count);
            _position += count;
            return slice;
        }

        public ulong ReadVarUInt()
        {
            ulong result = 0;
            for (var shift = 0; shift < 64; shift += 7)
            {
                var b = Take(1)[0];
                if (shift == 63 && b > 1)
                {
                    throw new BatchFormatException("A varint overflows 64 bits.");
                }

                result |= (ulong)(b & 0x7F) << shift;
                if ((b & 0x80) == 0)
                {
                    return result;
                }
            }

            throw new BatchFormatException("A varint is longer than 10 bytes.");
        }

        public int ReadCount(int max, string what)
        {
            var value = ReadVarUInt();
            if (value > (ulong)max)
            {
                throw new BatchFormatException($"The {what} {value} exceeds the limit of {max}.");
            }

            return (int)value;
        }
    }
}
