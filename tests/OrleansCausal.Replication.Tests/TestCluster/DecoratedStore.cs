using OrleansCausal.Core;
using OrleansCausal.Storage;
using OrleansCausal.Tests.Shared;

namespace OrleansCausal.Replication.Tests.TestCluster;

/// <summary>A store decorator for tests. With <paramref name="localNoticesOnly"/> it drops the notices of changes made
/// through other silos (PostgreSQL's LISTEN/NOTIFY), as if they arrived late: whatever a silo learns of a merge
/// applied through another silo, it then learns from the replicator itself. <see cref="PrunedThrough"/> hides the
/// change feed up to a sequence, as if it had been pruned.</summary>
public sealed class DecoratedStore(IRecordStore inner, bool localNoticesOnly = false) : ForwardingRecordStore(inner)
{
    private long _prunedThrough;

    /// <summary>Feed entries up to this sequence are no longer returned.</summary>
    public long PrunedThrough
    {
        get => Interlocked.Read(ref _prunedThrough);
        set => Interlocked.Exchange(ref _prunedThrough, value);
    }

    private EventHandler<RecordChangedEventArgs>? _handlers;

    public override event EventHandler<RecordChangedEventArgs>? RecordChanged
    {
        add
        {
            if (_handlers is null)
            {
                Inner.RecordChanged += Forward;
            }

            _handlers += value;
        }

        remove => _handlers -= value;
    }

    private void Forward(object? sender, RecordChangedEventArgs e)
    {
        if (e.IsLocal || !localNoticesOnly)
        {
            _handlers?.Invoke(this, e);
        }
    }

    public override async Task<IReadOnlyList<ChangeEntry>> ReadChangesAsync(long afterSequence, int maxCount, CancellationToken cancellationToken)
    {
        var pruned = PrunedThrough;
        return afterSequence >= pruned
            ? await Inner.ReadChangesAsync(afterSequence, maxCount, cancellationToken)
            : await Inner.ReadChangesAsync(pruned, maxCount, cancellationToken);
    }
}
