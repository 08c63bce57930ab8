using Microsoft.Extensions.Logging;
using OrleansCausal.Core;
using OrleansCausal.Core.Serialization;

namespace OrleansCausal.Storage.Sqlite;

/// <summary>
/// The state of one write transaction. Records are read from the file once (inside <c>BEGIN IMMEDIATE</c>, so no
/// other connection or process can change them until commit), updated in memory as the batch's operations apply
/// in order, and written back once each at <see cref="Flush"/>.
/// </summary>
internal sealed class WriteBatch(WriterCommands commands, string path, ILogger logger)
{
    private readonly Dictionary<RecordKey, CausalRecord> _records = [];
    private readonly List<RecordKey> _dirty = [];

    public CausalRecord Read(RecordKey key)
    {
        if (_records.TryGetValue(key, out var cached))
        {
            return cached;
        }

        var data = commands.SelectRecord(key);
        var record = data is null ? CausalRecord.Empty : RecordRows.DecodeRecord(path, key, data, logger);
        _records[key] = record;
        return record;
    }

    public void Write(RecordKey key, CausalRecord record)
    {
        if (!_dirty.Contains(key))
        {
            _dirty.Add(key);
        }

        _records[key] = record;
    }

    public long AppendChange(RecordKey key, Bin bin) => commands.InsertChange(key, CausalBinaryCodec.EncodeBin(bin));

    public void SaveCheckpoint(string name, long sequence) => commands.UpsertCheckpoint(name, sequence);

    public void SaveInboundPosition(string source, long sequence) => commands.UpsertInbound(source, sequence);

    public void Flush()
    {
        foreach (var key in _dirty)
        {
            commands.UpsertRecord(key, CausalBinaryCodec.EncodeRecord(_records[key]));
        }
    }
}
