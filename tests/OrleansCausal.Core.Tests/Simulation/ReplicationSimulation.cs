using OrleansCausal.Core;

namespace OrleansCausal.Core.Tests.Simulation;

/// <summary>
/// Random histories of puts and deletes at several regions, with contexts taken from earlier reads anywhere,
/// and whole-record deliveries that are reordered, batched and duplicated. After every step the implementation
/// is checked against <see cref="ModelHistory"/>.
/// </summary>
internal sealed class ReplicationSimulation
{
    private readonly Random _random;
    private readonly ReplicaId[] _replicas;
    private readonly string[] _keys;
    private readonly Dictionary<(RegionId Region, string Key), CausalRecord> _state = [];
    private readonly Dictionary<string, ModelHistory> _models = [];
    private readonly List<Read> _reads = [];
    private readonly List<Message> _inFlight = [];
    private DateTimeOffset _now = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public ReplicationSimulation(int seed, int regions, int keys)
    {
        _random = new Random(seed);
        _replicas = Enumerable.Range(0, regions)
            .Select(i => new ReplicaId(RegionId.Parse($"r{i}"), (uint)_random.Next(1, int.MaxValue)))
            .ToArray();
        _keys = Enumerable.Range(0, keys).Select(i => $"k{i}").ToArray();
        foreach (var key in _keys)
        {
            _models[key] = new ModelHistory();
            foreach (var replica in _replicas)
            {
                _state[(replica.Region, key)] = CausalRecord.Empty;
            }
        }
    }

    public IReadOnlyList<ReplicaId> Replicas => _replicas;

    public CausalRecord StateOf(ReplicaId replica, string key) => _state[(replica.Region, key)];

    public void Run(int steps)
    {
        for (var step = 0; step < steps; step++)
        {
            _now = _now.AddMilliseconds(_random.Next(0, 3));
            var roll = _random.NextDouble();
            if (roll < 0.35)
            {
                Write(isDelete: _random.NextDouble() < 0.15);
            }
            else if (roll < 0.50)
            {
                TakeRead();
            }
            else if (roll < 0.75)
            {
                Send();
            }
            else
            {
                DeliverSome();
            }
        }
    }

    /// <summary>Delivers everything in flight in random order, then exchanges full records until quiet.</summary>
    public void HealAndConverge()
    {
        while (_inFlight.Count > 0)
        {
            DeliverSome();
        }

        for (var round = 0; round < 2; round++)
        {
            foreach (var key in _keys)
            {
                foreach (var from in _replicas)
                {
                    foreach (var to in _replicas.Where(r => r != from))
                    {
                        Apply(new Message(to, key, StateOf(from, key).Bins.ToArray()));
                    }
                }
            }
        }
    }

    public void AssertConverged()
    {
        foreach (var key in _keys)
        {
            var first = StateOf(_replicas[0], key);
            foreach (var replica in _replicas)
            {
                var state = StateOf(replica, key);
                Check(first.Equals(state), $"{replica.Region} holds {state} for {key}, but {_replicas[0].Region} holds {first}");
            }

            var expected = _models[key].ExpectedEverywhere();
            CheckSameDots(expected, first, $"converged state of {key}");
        }
    }

    private void Write(bool isDelete)
    {
        var replica = Pick(_replicas);
        var key = Pick(_keys);
        var (context, modelContext) = ChooseContext(replica, key);
        var value = isDelete ? null : $"\"v{_random.Next(1000)}\"";
        var state = StateOf(replica, key);
        var outcome = state.Put(replica, value, context, _now);
        var dot = outcome.Written.Dot;
        Check(dot.Replica == replica, $"write at {replica} issued {dot}");
        Check(outcome.Pruned == 0, "no cap was set, yet a sibling was pruned");
        _models[key].Issue(replica.Region, dot, value, modelContext);
        _state[(replica.Region, key)] = outcome.Record;
        Verify(replica, key);
    }

    private (VersionVector Context, IReadOnlySet<Dot> Model) ChooseContext(ReplicaId replica, string key)
    {
        var roll = _random.NextDouble();
        if (roll < 0.25)
        {
            return (VersionVector.Empty, new HashSet<Dot>());
        }

        var reads = _reads.Where(r => r.Key == key).ToList();
        if (roll < 0.6 || reads.Count == 0)
        {
            var fresh = ReadAt(replica, key);
            return (fresh.Context, fresh.Seen);
        }

        var old = Pick(reads);
        return (old.Context, old.Seen);
    }

    private void TakeRead() => _reads.Add(ReadAt(Pick(_replicas), Pick(_keys)));

    private Read ReadAt(ReplicaId replica, string key)
    {
        var state = StateOf(replica, key);
        var seen = _models[key].Seen(replica.Region);
        foreach (var dot in _models[key].Writes.Keys)
        {
            Check(
                state.Context.Covers(dot) == seen.Contains(dot),
                $"context {state.Context} at {replica.Region} {(seen.Contains(dot) ? "misses" : "claims")} {dot}");
        }

        return new Read(key, state.Context, seen);
    }

    private void Send()
    {
        var from = Pick(_replicas);
        var to = Pick(_replicas.Where(r => r != from).ToArray());
        var key = Pick(_keys);
        _inFlight.Add(new Message(to, key, StateOf(from, key).Bins.ToArray()));
    }

    /// <summary>Takes 1–3 in-flight messages for one destination and record, in random order, and applies them as one
    /// batch; each may also stay in flight to be delivered again (duplication).</summary>
    private void DeliverSome()
    {
        if (_inFlight.Count == 0)
        {
            return;
        }

        var first = Pick(_inFlight);
        var batch = _inFlight.Where(m => m.To == first.To && m.Key == first.Key)
            .OrderBy(_ => _random.Next())
            .Take(_random.Next(1, 4))
            .ToList();
        foreach (var message in batch)
        {
            if (_random.NextDouble() >= 0.2)
            {
                _inFlight.Remove(message);
            }
        }

        var bins = batch.SelectMany(m => m.Bins).OrderBy(_ => _random.Next()).ToArray();
        Apply(new Message(first.To, first.Key, bins));
    }

    private void Apply(Message message)
    {
        var state = StateOf(message.To, message.Key);
        var merged = state.Merge(message.Bins).Record;
        Check(merged.Clock.Covers(state.Clock), $"clock went backwards at {message.To.Region}: {state.Clock} → {merged.Clock}");
        _state[(message.To.Region, message.Key)] = merged;
        _models[message.Key].Deliver(message.To.Region, message.Bins.Select(b => b.Dot));
        Verify(message.To, message.Key);
    }

    private void Verify(ReplicaId replica, string key)
    {
        var state = StateOf(replica, key);
        var model = _models[key];
        CheckSameDots(model.ExpectedAt(replica.Region), state, $"{replica.Region}/{key}");
        foreach (var bin in state.Bins)
        {
            var write = model.Writes[bin.Dot];
            Check(bin.Value == write.Value, $"bin {bin.Dot} holds {bin.Value ?? "⊥"} but {write.Value ?? "⊥"} was written");
            Check(state.Clock.Covers(bin.Dot) && state.Clock.Covers(bin.Context), $"clock {state.Clock} does not cover {bin}");
        }
    }

    private static void CheckSameDots(HashSet<Dot> expected, CausalRecord state, string where)
    {
        var actual = state.Bins.Select(b => b.Dot).ToHashSet();
        if (!expected.SetEquals(actual))
        {
            var missing = expected.Except(actual).ToList();
            var extra = actual.Except(expected).ToList();
            throw new SimulationFailure(
                $"{where}: lost or missing writes [{string.Join(", ", missing)}], resurrected or unexpected [{string.Join(", ", extra)}]; state {state}");
        }
    }

    private static void Check(bool condition, string message)
    {
        if (!condition)
        {
            throw new SimulationFailure(message);
        }
    }

    private T Pick<T>(IReadOnlyList<T> items) => items[_random.Next(items.Count)];

    private sealed record Read(string Key, VersionVector Context, IReadOnlySet<Dot> Seen);

    private sealed record Message(ReplicaId To, string Key, Bin[] Bins);
}

internal sealed class SimulationFailure(string message) : Exception(message);
