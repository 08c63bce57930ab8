using OrleansCausal.Core;

namespace OrleansCausal.Storage.Sqlite;

/// <summary>merge of remote bins and remembered operations (<see cref="CausalRecord.Merge"/>), all-or-nothing, with the
/// inbound position.</summary>
internal sealed class MergeOperation(IReadOnlyList<KeyedBin> bins, InboundPosition? position, ReplicaId replica, OperationWindow window, CancellationToken cancellationToken)
    : WriteOperation<MergeResult>(cancellationToken)
{
    protected override MergeResult Execute(WriteBatch batch)
    {
        var byKey = new Dictionary<RecordKey, List<Bin>>();
        var operations = new Dictionary<RecordKey, List<RememberedOperation>>();
        var order = new List<RecordKey>();
        foreach (var keyed in bins)
        {
            if (!byKey.TryGetValue(keyed.Key, out var list))
            {
                byKey[keyed.Key] = list = [];
                order.Add(keyed.Key);
            }

            list.Add(keyed.Bin);
            if (keyed.Operations.Count > 0)
            {
                (operations.TryGetValue(keyed.Key, out var remembered) ? remembered : operations[keyed.Key] = []).AddRange(keyed.Operations);
            }
        }

        // Compute everything first: a refused bin must leave the whole batch unapplied.
        var outcomes = new List<(RecordKey Key, MergeOutcome Outcome)>(order.Count);
        foreach (var key in order)
        {
            var current = batch.Read(key);
            foreach (var bin in byKey[key])
            {
                if (bin.Dot.Replica == replica && !current.Clock.Covers(bin.Dot))
                {
                    throw new ForgedDotException(key, bin.Dot);
                }
            }

            outcomes.Add((key, current.Merge(byKey[key], operations.GetValueOrDefault(key), window)));
        }

        var added = 0;
        foreach (var (key, outcome) in outcomes)
        {
            if (outcome.Changed)
            {
                Changes.Add((key, batch.Write(key, outcome.Record)));
                added += outcome.Added;
            }
        }

        if (position is not null)
        {
            batch.SaveInboundPosition(position.Source, position.AppliedThrough);
        }

        return new MergeResult(added, [.. Changes.Select(c => c.Key)]) { ChangedVersions = [.. Changes.Select(c => c.Version)] };
    }
}
