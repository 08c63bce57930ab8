using Microsoft.Extensions.Logging;
using OrleansCausal.Core;
using OrleansCausal.Core.Serialization;

namespace OrleansCausal.Storage.Sqlite;

/// <summary>
/// The state of one write transaction. Records are read from their rows once (inside <c>BEGIN IMMEDIATE</c>, so no
/// other connection or process can change them until commit), updated in memory as the batch's operations apply
/// in order — each change bumps the record's in-batch version by one, so a conditional write later in the batch is
/// checked against the changes before it — and at <see cref="Flush"/> only the difference from the stored rows is
/// written: added bins inserted, removed bins deleted, the clock, version and remembered operations updated.
/// </summary>
internal sealed class WriteBatch(WriterCommands commands, string path, ILogger logger)
{
    private readonly Dictionary<RecordKey, (StoredRecord Stored, StoredRecord Current)> _records = [];
    private readonly List<RecordKey> _dirty = [];
    private readonly HashSet<RecordKey> _dirtyKeys = [];

    /// <summary>The record and its version as this batch has left it so far.</summary>
    public StoredRecord Load(RecordKey key)
    {
        if (_records.TryGetValue(key, out var cached))
        {
            return cached.Current;
        }

        var stored = commands.SelectRecord(key, path, logger);
        _records[key] = (stored, stored);
        return stored;
    }

    public CausalRecord Read(RecordKey key) => Load(key).Record;

    /// <summary>Replaces the record (loaded first through <see cref="Load"/>) and returns its new version.</summary>
    public long Write(RecordKey key, CausalRecord record)
    {
        var (stored, current) = _records[key];
        var version = current.Version + 1;
        _records[key] = (stored, new StoredRecord(record, version));
        if (_dirtyKeys.Add(key))
        {
            _dirty.Add(key);
        }

        return version;
    }

    public long DeleteChangesThrough(long through) => commands.DeleteChanges(through);

    public long AppendChange(RecordKey key, Bin bin) => commands.InsertChange(key, CausalBinaryCodec.EncodeBin(bin));

    public void SaveCheckpoint(string name, long sequence) => commands.UpsertCheckpoint(name, sequence);

    public void SaveInboundPosition(string source, long sequence) => commands.UpsertInbound(source, sequence);

    public void Flush()
    {
        foreach (var key in _dirty)
        {
            var (stored, current) = _records[key];
            var diff = BinDiff.Between(stored.Record, current.Record);
            foreach (var bin in diff.Removed)
            {
                commands.DeleteBin(key, BinRow.DotKey(bin.Dot));
            }

            foreach (var bin in diff.Added)
            {
                commands.InsertBin(key, BinRow.From(bin));
            }

            var operations = current.Record.Operations;
            commands.UpsertRecord(key, current.Version, CausalBinaryCodec.EncodeVector(current.Record.Clock),
                operations.Count == 0 ? null : CausalBinaryCodec.EncodeOperations(operations));
        }
    }
}
