using OrleansCausal.Core;
using OrleansCausal.Storage;

namespace OrleansCausal.Runtime.Storage;

/// <summary>
/// A volatile <see cref="IRecordStore"/> (<c>Store=memory:</c>): atomic per record under one lock, with the same
/// semantics as the durable providers but nothing survives the process. For demos, unit tests of the layers above a
/// provider, and the load tool's in-memory baseline. A new instance is a new store incarnation (a new epoch).
/// </summary>
public sealed class InMemoryRecordStore(RegionId region, TimeProvider? time = null, OperationWindow? operations = null) : IRecordStore
{
    private readonly object _sync = new();
    private readonly Dictionary<RecordKey, StoredRecord> _records = [];
    private readonly List<ChangeEntry> _feed = [];
    private long _compacted;
    private readonly Dictionary<string, long> _checkpoints = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _inbound = new(StringComparer.Ordinal);
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private ReplicaId? _replica;

    public event EventHandler<RecordChangedEventArgs>? RecordChanged;

    public ReplicaId Replica => _replica ?? throw new InvalidOperationException("The store is not open: call OpenAsync first.");

    public string Description => "memory:";

    public Task OpenAsync(CancellationToken cancellationToken)
    {
        lock (_sync)
        {
            _replica ??= new ReplicaId(region, ReplicaId.NewEpoch());
        }

        return Task.CompletedTask;
    }

    public Task<StoredRecord> LoadAsync(RecordKey key, CancellationToken cancellationToken)
    {
        lock (_sync)
        {
            return Task.FromResult(_records.GetValueOrDefault(key) ?? StoredRecord.Missing);
        }
    }

    public Task<RecordWriteResult> WriteAsync(RecordWrite write, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        long version;
        long last = 0;
        lock (_sync)
        {
            var current = _records.GetValueOrDefault(write.Key) ?? StoredRecord.Missing;
            if (current.Version != write.ExpectedVersion)
            {
                throw new RecordVersionConflictException(write.Key, write.ExpectedVersion, current.Version);
            }

            var own = OwnNewBins(write);
            version = current.Version + 1;
            _records[write.Key] = new StoredRecord(write.After, version);
            foreach (var bin in own)
            {
                var entry = new ChangeEntry(NextSequence, write.Key, bin);
                _feed.Add(entry);
                last = entry.Sequence;
            }
        }

        RecordChanged?.Invoke(this, new RecordChangedEventArgs(write.Key, isLocal: true, version));
        return Task.FromResult(new RecordWriteResult(version, last));
    }

    public Task<StoreWriteResult> PutAsync(PutRequest request, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        StoreWriteResult result;
        lock (_sync)
        {
            var stored = _records.GetValueOrDefault(request.Key) ?? StoredRecord.Missing;
            var current = stored.Record;
            var context = request.Override ? request.Context.Join(current.Clock) : request.Context;
            var outcome = current.Put(Replica, request.Value, context, DateTimeOffset.FromUnixTimeMilliseconds(_time.GetUtcNow().ToUnixTimeMilliseconds()), request.MaxBins);
            _records[request.Key] = new StoredRecord(outcome.Record, stored.Version + 1);
            var entry = new ChangeEntry(NextSequence, request.Key, outcome.Written);
            _feed.Add(entry);
            result = new StoreWriteResult(outcome.Record, outcome.Written, outcome.Pruned, entry.Sequence, stored.Version + 1);
        }

        RecordChanged?.Invoke(this, new RecordChangedEventArgs(request.Key, isLocal: true, result.Version));
        return Task.FromResult(result);
    }

    public Task<MergeResult> MergeAsync(IReadOnlyList<KeyedBin> bins, InboundPosition? position, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var changed = new List<(RecordKey Key, long Version)>();
        var added = 0;
        lock (_sync)
        {
            var staged = new Dictionary<RecordKey, StoredRecord>();
            foreach (var group in bins.GroupBy(b => b.Key))
            {
                var stored = _records.GetValueOrDefault(group.Key) ?? StoredRecord.Missing;
                var current = stored.Record;
                foreach (var keyed in group)
                {
                    if (keyed.Bin.Dot.Replica == Replica && !current.Clock.Covers(keyed.Bin.Dot))
                    {
                        throw new ForgedDotException(group.Key, keyed.Bin.Dot);
                    }
                }

                var outcome = current.Merge(group.Select(b => b.Bin), group.SelectMany(b => b.Operations), operations);
                if (outcome.Changed)
                {
                    staged[group.Key] = new StoredRecord(outcome.Record, stored.Version + 1);
                    added += outcome.Added;
                    changed.Add((group.Key, stored.Version + 1));
                }
            }

            foreach (var (key, record) in staged)
            {
                _records[key] = record;
            }

            if (position is not null)
            {
                _inbound[position.Source] = Math.Max(_inbound.GetValueOrDefault(position.Source), position.AppliedThrough);
            }
        }

        foreach (var (key, version) in changed)
        {
            RecordChanged?.Invoke(this, new RecordChangedEventArgs(key, isLocal: true, version));
        }

        return Task.FromResult(new MergeResult(added, changed.Select(c => c.Key).ToArray()) { ChangedVersions = changed.Select(c => c.Version).ToArray() });
    }

    public Task<IReadOnlyList<ChangeEntry>> ReadChangesAsync(long afterSequence, int maxCount, CancellationToken cancellationToken)
    {
        lock (_sync)
        {
            var start = (int)Math.Clamp(afterSequence - _compacted, 0, _feed.Count);
            var count = Math.Min(maxCount, _feed.Count - start);
            return Task.FromResult<IReadOnlyList<ChangeEntry>>(_feed.GetRange(start, count).ToArray());
        }
    }

    public Task<long> GetLastSequenceAsync(CancellationToken cancellationToken)
    {
        lock (_sync)
        {
            return Task.FromResult(_compacted + _feed.Count);
        }
    }

    public Task<StorageFigures> GetStorageFiguresAsync(CancellationToken cancellationToken)
    {
        lock (_sync)
        {
            var live = _records.Values.Count(r => r.Record.HasLiveValue);
            var tombstones = _records.Values.Count(r => !r.Record.HasLiveValue && r.Record.Bins.Count > 0);
            return Task.FromResult(new StorageFigures(live, tombstones, _feed.Count, Bytes: null));
        }
    }

    public Task<IReadOnlyDictionary<string, long>> GetInboundPositionsAsync(CancellationToken cancellationToken)
    {
        lock (_sync)
        {
            return Task.FromResult<IReadOnlyDictionary<string, long>>(new Dictionary<string, long>(_inbound, StringComparer.Ordinal));
        }
    }

    public Task<long> CompactFeedAsync(long through, CancellationToken cancellationToken)
    {
        lock (_sync)
        {
            // The newest entry always stays.
            var remove = (int)Math.Clamp(through - _compacted, 0, Math.Max(0, _feed.Count - 1));
            _feed.RemoveRange(0, remove);
            _compacted += remove;
            return Task.FromResult((long)remove);
        }
    }

    public Task<IReadOnlyList<RecordKey>> PurgeAsync(IReadOnlyList<PurgeCandidate> candidates, CancellationToken cancellationToken)
    {
        var purged = new List<(RecordKey Key, long Version)>();
        lock (_sync)
        {
            foreach (var candidate in candidates)
            {
                if (_records.GetValueOrDefault(candidate.Key) is not { } stored || !stored.Record.Equals(candidate.Record) ||
                    Tombstones.Without(stored.Record) is not { } remaining)
                {
                    continue;
                }

                _records[candidate.Key] = new StoredRecord(remaining, stored.Version + 1);
                purged.Add((candidate.Key, stored.Version + 1));
            }
        }

        foreach (var (key, version) in purged)
        {
            RecordChanged?.Invoke(this, new RecordChangedEventArgs(key, isLocal: true, version));
        }

        return Task.FromResult<IReadOnlyList<RecordKey>>([.. purged.Select(p => p.Key)]);
    }

    public Task<long> GetCheckpointAsync(string name, CancellationToken cancellationToken)
    {
        lock (_sync)
        {
            return Task.FromResult(_checkpoints.GetValueOrDefault(name));
        }
    }

    public Task SaveCheckpointAsync(string name, long sequence, CancellationToken cancellationToken)
    {
        lock (_sync)
        {
            _checkpoints[name] = sequence;
        }

        return Task.CompletedTask;
    }

    public Task<long> GetInboundPositionAsync(string source, CancellationToken cancellationToken)
    {
        lock (_sync)
        {
            return Task.FromResult(_inbound.GetValueOrDefault(source));
        }
    }

    public Task<IReadOnlyList<(RecordKey Key, CausalRecord Record)>> ScanAsync(RecordKey? after, int maxCount, CancellationToken cancellationToken)
    {
        lock (_sync)
        {
            var result = _records
                .Where(p => after is null || Compare(p.Key, after.Value) > 0)
                .OrderBy(p => p.Key.Namespace, StringComparer.Ordinal)
                .ThenBy(p => p.Key.Key, StringComparer.Ordinal)
                .Take(maxCount)
                .Select(p => (p.Key, p.Value.Record))
                .ToArray();
            return Task.FromResult<IReadOnlyList<(RecordKey Key, CausalRecord Record)>>(result);
        }
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private long NextSequence => _compacted + _feed.Count + 1;

    /// <summary>The bins a write adds under this store's replica, in dot order; refuses a dot the store already issued.</summary>
    private List<Bin> OwnNewBins(RecordWrite write)
    {
        var own = new List<Bin>();
        foreach (var bin in write.After.Bins)
        {
            if (bin.Dot.Replica != Replica || write.Before.Bins.Any(b => b.Dot == bin.Dot))
            {
                continue;
            }

            if (write.Before.Clock.Covers(bin.Dot))
            {
                throw new InvalidOperationException($"Write to {write.Key} adds bin {bin.Dot}, a dot this store already issued.");
            }

            own.Add(bin);
        }

        return own;
    }

    private static int Compare(RecordKey a, RecordKey b)
    {
        var byNamespace = string.CompareOrdinal(a.Namespace, b.Namespace);
        return byNamespace != 0 ? byNamespace : string.CompareOrdinal(a.Key, b.Key);
    }
}
