using Microsoft.Extensions.Logging;
using OrleansCausal.Core;
using OrleansCausal.Core.Serialization;

namespace OrleansCausal.Storage.Sqlite;

/// <summary>Decodes stored rows; a row that does not decode is reported with its key and never served.</summary>
internal static class RecordRows
{
    public static CausalRecord DecodeRecord(string path, RecordKey key, byte[] data, ILogger logger)
    {
        try
        {
            return CausalBinaryCodec.DecodeRecord(data);
        }
        catch (Exception error) when (error is InvalidDataException or ArgumentException or OverflowException or EndOfStreamException)
        {
            Log.LogErrorCorruptRecord(logger, path, key.ToString(), error);
            throw new RecordStoreException($"SQLite store '{path}': record {key} is corrupt and cannot be read ({error.Message}).", error, key);
        }
    }

    public static Bin DecodeBin(string path, long sequence, RecordKey key, byte[] data)
    {
        try
        {
            return CausalBinaryCodec.DecodeBin(data);
        }
        catch (Exception error) when (error is InvalidDataException or ArgumentException or OverflowException or EndOfStreamException)
        {
            throw new RecordStoreException($"SQLite store '{path}': change-feed entry {sequence} of record {key} is corrupt ({error.Message}).", error, key);
        }
    }
}
