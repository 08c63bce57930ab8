namespace OrleansCausal.Core.Serialization;

/// <summary>
/// The binary encoding of version vectors, bins and records, shared by storage providers (record rows, change
/// feed) and replication batches. Format version 1:
/// <code>
/// vector := count:varint (region:string epoch:u32le counter:varint)*      -- sorted by replica
/// bin    := region:string epoch:u32le counter:varint flags:u8 writtenAtUnixMs:i64le context:vector
///           [writer:string] [operation:string] [value:string]
///           -- writer iff flags has 2 (since writers are recorded), operation iff flags has 4 (since operation ids
///           -- are kept), value iff not 1
/// flags  := 1 tombstone | 2 writer present | 4 operation id present; a bin written before writers (or operation
///           ids) were recorded has no such flag and decodes with a null writer (operation id), so old feeds, rows and
///           batches stay readable. A build that does not know a flag refuses such a bin (unknown flags) rather than
///           dropping its writer or operation id silently.
/// record := version:u8 clock:vector binCount:varint bin* [operations]   -- version 1: no operations; version 2:
///           operations follow (written only when the record remembers any, so version-1 readers keep working
///           for records without operation ids)
/// operations := count:varint (id:string region:string epoch:u32le counter:varint writtenAtUnixMs:i64le)*
///           -- sorted by dot, unique dots
/// </code>
/// Decoding checks every field and the record invariants; corrupt input throws <see cref="InvalidDataException"/>.
/// </summary>
public static class CausalBinaryCodec
{
    public const byte RecordFormatVersion = 1;
    public const byte RecordWithOperationsFormatVersion = 2;
    private const int MaxOperations = 1 << 20;
    private const int MaxVectorEntries = 4096;
    private const int MaxBins = 1 << 20;
    private const int MaxValueBytes = 64 * 1024 * 1024;
    private const byte TombstoneFlag = 1;
    private const byte WriterFlag = 2;
    private const byte OperationFlag = 4;

    public static byte[] EncodeRecord(CausalRecord record)
    {
        var writer = new ByteWriter(128);
        writer.WriteByte(record.Operations.Count == 0 ? RecordFormatVersion : RecordWithOperationsFormatVersion);
        WriteVector(writer, record.Clock);
        writer.WriteVarUInt((ulong)record.Bins.Count);
        foreach (var bin in record.Bins)
        {
            WriteBin(writer, bin);
        }

        if (record.Operations.Count > 0)
        {
            WriteOperations(writer, record.Operations);
        }

        return writer.ToArray();
    }

    public static CausalRecord DecodeRecord(ReadOnlySpan<byte> data)
    {
        var reader = new ByteReader(data);
        var version = reader.ReadByte();
        if (version is not (RecordFormatVersion or RecordWithOperationsFormatVersion))
        {
            throw new InvalidDataException(
                $"Unknown record format version {version}; this build reads versions {RecordFormatVersion} and {RecordWithOperationsFormatVersion}.");
        }

        var clock = ReadVector(ref reader);
        var count = reader.ReadCount(MaxBins);
        var bins = new Bin[count];
        for (var i = 0; i < count; i++)
        {
            bins[i] = ReadBin(ref reader);
        }

        var operations = version == RecordWithOperationsFormatVersion ? ReadOperations(ref reader) : [];
        reader.EnsureEnd();
        return CausalRecord.Restore(bins, clock, operations);
    }

    public static byte[] EncodeBin(Bin bin)
    {
        var writer = new ByteWriter(64);
        WriteBin(writer, bin);
        return writer.ToArray();
    }

    public static Bin DecodeBin(ReadOnlySpan<byte> data)
    {
        var reader = new ByteReader(data);
        var bin = ReadBin(ref reader);
        reader.EnsureEnd();
        return bin;
    }

    public static byte[] EncodeVector(VersionVector vector)
    {
        var writer = new ByteWriter(32);
        WriteVector(writer, vector);
        return writer.ToArray();
    }

    public static VersionVector DecodeVector(ReadOnlySpan<byte> data)
    {
        var reader = new ByteReader(data);
        var vector = ReadVector(ref reader);
        reader.EnsureEnd();
        return vector;
    }

    /// <summary>A record's remembered operations (see <see cref="CausalRecord.Operations"/>), as stored beside its clock
    /// and sent with it in full resends.</summary>
    public static byte[] EncodeOperations(IReadOnlyList<RememberedOperation> operations)
    {
        var writer = new ByteWriter(16 + (operations.Count * 48));
        WriteOperations(writer, operations);
        return writer.ToArray();
    }

    public static RememberedOperation[] DecodeOperations(ReadOnlySpan<byte> data)
    {
        var reader = new ByteReader(data);
        var operations = ReadOperations(ref reader);
        reader.EnsureEnd();
        return operations;
    }

    private static void WriteOperations(ByteWriter writer, IReadOnlyList<RememberedOperation> operations)
    {
        writer.WriteVarUInt((ulong)operations.Count);
        foreach (var operation in operations)
        {
            writer.WriteString(operation.Id);
            WriteReplica(writer, operation.Dot.Replica);
            writer.WriteVarUInt(operation.Dot.Counter);
            writer.WriteInt64(operation.WrittenAt.ToUnixTimeMilliseconds());
        }
    }

    private static RememberedOperation[] ReadOperations(ref ByteReader reader)
    {
        var count = reader.ReadCount(MaxOperations);
        var operations = new RememberedOperation[count];
        for (var i = 0; i < count; i++)
        {
            var id = reader.ReadString(OperationIds.MaxLength);
            if (!OperationIds.IsValid(id))
            {
                throw new InvalidDataException($"A remembered operation has an invalid id: {OperationIds.Describe(id)}.");
            }

            var replica = ReadReplica(ref reader);
            var counter = reader.ReadVarUInt();
            if (counter == 0)
            {
                throw new InvalidDataException("A remembered operation has a zero dot counter.");
            }

            var dot = new Dot(replica, counter);
            if (i > 0 && operations[i - 1].Dot.CompareTo(dot) >= 0)
            {
                throw new InvalidDataException("Remembered operations are not strictly sorted by dot.");
            }

            operations[i] = new RememberedOperation(id, dot, ReadTime(ref reader, "A remembered operation's accepted time"));
        }

        return operations;
    }

    private static DateTimeOffset ReadTime(ref ByteReader reader, string what)
    {
        var ms = reader.ReadInt64();
        if (ms < DateTimeOffset.MinValue.ToUnixTimeMilliseconds() || ms > DateTimeOffset.MaxValue.ToUnixTimeMilliseconds())
        {
            throw new InvalidDataException($"{what} {ms} is out of range.");
        }

        return DateTimeOffset.FromUnixTimeMilliseconds(ms);
    }

    internal static void WriteVector(ByteWriter writer, VersionVector vector)
    {
        writer.WriteVarUInt((ulong)vector.Count);
        foreach (var entry in vector.Entries)
        {
            WriteReplica(writer, entry.Replica);
            writer.WriteVarUInt(entry.Counter);
        }
    }

    internal static VersionVector ReadVector(ref ByteReader reader, int maxEntries = MaxVectorEntries)
    {
        var count = reader.ReadCount(maxEntries);
        if (count == 0)
        {
            return VersionVector.Empty;
        }

        var entries = new VectorEntry[count];
        for (var i = 0; i < count; i++)
        {
            var replica = ReadReplica(ref reader);
            var counter = reader.ReadVarUInt();
            if (counter == 0)
            {
                throw new InvalidDataException("A version vector entry has a zero counter.");
            }

            if (i > 0 && entries[i - 1].Replica.CompareTo(replica) >= 0)
            {
                throw new InvalidDataException("Version vector entries are not strictly sorted.");
            }

            entries[i] = new VectorEntry(replica, counter);
        }

        return VersionVector.FromSortedUnchecked(entries);
    }

    private static void WriteBin(ByteWriter writer, Bin bin)
    {
        WriteReplica(writer, bin.Dot.Replica);
        writer.WriteVarUInt(bin.Dot.Counter);
        writer.WriteByte((byte)((bin.IsTombstone ? TombstoneFlag : 0) | (bin.Writer is null ? 0 : WriterFlag) | (bin.OperationId is null ? 0 : OperationFlag)));
        writer.WriteInt64(bin.WrittenAt.ToUnixTimeMilliseconds());
        WriteVector(writer, bin.Context);
        if (bin.Writer is not null)
        {
            writer.WriteString(bin.Writer);
        }

        if (bin.OperationId is not null)
        {
            writer.WriteString(bin.OperationId);
        }

        if (bin.Value is not null)
        {
            writer.WriteString(bin.Value);
        }
    }

    private static Bin ReadBin(ref ByteReader reader)
    {
        var replica = ReadReplica(ref reader);
        var counter = reader.ReadVarUInt();
        var flags = reader.ReadByte();
        if ((flags & ~(TombstoneFlag | WriterFlag | OperationFlag)) != 0)
        {
            throw new InvalidDataException($"Unknown bin flags 0x{flags:x2}.");
        }

        var writtenAtMs = reader.ReadInt64();
        if (writtenAtMs < DateTimeOffset.MinValue.ToUnixTimeMilliseconds() || writtenAtMs > DateTimeOffset.MaxValue.ToUnixTimeMilliseconds())
        {
            throw new InvalidDataException($"A bin's accepted time {writtenAtMs} is out of range.");
        }

        var context = ReadVector(ref reader);
        var writer = (flags & WriterFlag) != 0 ? reader.ReadString(Bin.MaxWriterLength * 4) : null;
        var operation = (flags & OperationFlag) != 0 ? reader.ReadString(OperationIds.MaxLength) : null;
        var value = (flags & TombstoneFlag) != 0 ? null : reader.ReadString(MaxValueBytes);
        try
        {
            return new Bin(new Dot(replica, counter), value, context, DateTimeOffset.FromUnixTimeMilliseconds(writtenAtMs), writer, operation);
        }
        catch (ArgumentException e)
        {
            throw new InvalidDataException(e.Message, e);
        }
    }

    private static void WriteReplica(ByteWriter writer, ReplicaId replica)
    {
        writer.WriteString(replica.Region.Value);
        writer.WriteUInt32(replica.Epoch);
    }

    private static ReplicaId ReadReplica(ref ByteReader reader)
    {
        var name = reader.ReadString(RegionId.MaxLength);
        if (!RegionId.TryParse(name, out var region))
        {
            throw new InvalidDataException($"'{name}' is not a valid region id.");
        }

        return new ReplicaId(region, reader.ReadUInt32());
    }
}
