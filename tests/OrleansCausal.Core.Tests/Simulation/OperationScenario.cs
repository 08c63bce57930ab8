namespace OrleansCausal.Core.Tests.Simulation;

/// <summary>
/// Three regions and one record, driven by a list of step codes (from FsCheck, which shrinks a failing list to a short
/// one). Steps: writes at a region with an operation id from a small pool — so the same operation is often accepted
/// in two regions, as when a queue message is dequeued in both — blind, from a fresh read or from an old read; reads
/// kept for later; delivery of a region's change feed (its own bins in order, nothing else) to another region; and
/// full resends (a region's current bins and remembered operations). A write whose operation the region's record
/// holds is a replay and is not applied (what the record grain does). After every step the view must never show a
/// bin it once hid at that region — as long as no remembered operation falls out of the window (a narrow window
/// forgets, and a duplicate older than the window may show again; that is the documented limit).
/// </summary>
internal sealed class OperationScenario
{
    private static readonly string[] Values = ["\"10D\"", "\"10F\"", "\"12F\""];
    private static readonly string?[] OperationPool = [null, "msg-1", "msg-2", "msg-3", "msg-4"];

    private readonly ReplicaId[] _replicas = [TestReplicas.A, TestReplicas.B, TestReplicas.C];
    private readonly CausalRecord[] _state = [CausalRecord.Empty, CausalRecord.Empty, CausalRecord.Empty];
    private readonly List<Bin>[] _feeds = [[], [], []];
    private readonly int[,] _feedPosition = new int[3, 3];
    private readonly HashSet<Dot>[] _hiddenOnce = [[], [], []];
    private readonly List<VersionVector> _reads = [];
    private readonly OperationWindow _window;
    private readonly bool _checkHiddenStays;
    private DateTimeOffset _now = TestReplicas.T0;

    public OperationScenario(OperationWindow window, bool windowHoldsEverything) => (_window, _checkHiddenStays) = (window, windowHoldsEverything);

    /// <summary>Every state any region held, in order (for the merge laws).</summary>
    public List<CausalRecord> Seen { get; } = [];

    public IReadOnlyList<CausalRecord> States => _state;

    public int Replays { get; private set; }

    public void Run(IEnumerable<int> steps)
    {
        foreach (var code in steps)
        {
            Step(Math.Abs(code % 1_000_000));
        }
    }

    /// <summary>How many bins were ever hidden (a duplicate or an instance of an overwritten operation) at some region.</summary>
    public int HiddenCount => _hiddenOnce.Sum(h => h.Count);

    /// <summary>Delivers every feed completely (unless <paramref name="deliverFeeds"/> is false: then regions catch up by
    /// full resends alone, as a region rebuilt from a resend does), then full resends between every pair, twice.</summary>
    public void Heal(bool deliverFeeds)
    {
        for (var from = 0; from < 3 && deliverFeeds; from++)
        {
            for (var to = 0; to < 3; to++)
            {
                if (from != to)
                {
                    DeliverFeed(from, to, int.MaxValue);
                }
            }
        }

        for (var round = 0; round < 2; round++)
        {
            for (var from = 0; from < 3; from++)
            {
                for (var to = 0; to < 3; to++)
                {
                    if (from != to)
                    {
                        Resend(from, to);
                    }
                }
            }
        }
    }

    private void Step(int code)
    {
        _now = _now.AddMilliseconds(code % 3);
        var region = code / 10 % 3;
        switch (code % 10)
        {
            case < 4:
                Write(region, code);
                break;
            case 4:
                _reads.Add(_state[region].Context);
                break;
            case < 8:
                DeliverFeed(region, (region + 1 + (code / 100 % 2)) % 3, 1 + (code / 1000 % 3));
                break;
            default:
                Resend(region, (region + 1 + (code / 100 % 2)) % 3);
                break;
        }
    }

    private void Write(int region, int code)
    {
        var current = _state[region];
        var operation = OperationPool[code / 100 % OperationPool.Length];
        if (operation is not null && current.FindOperation(operation) is not null)
        {
            Replays++;
            return;
        }

        // An operation always writes the same value, as a redelivered message would.
        var value = code / 100_000 % 7 == 0
            ? null
            : operation is null ? Values[code / 1000 % Values.Length] : Values[Array.IndexOf(OperationPool, operation) % Values.Length];
        var context = (code / 10_000 % 3) switch
        {
            0 => VersionVector.Empty,
            1 => current.Context,
            _ => _reads.Count == 0 ? VersionVector.Empty : _reads[code / 30_000 % _reads.Count],
        };
        var outcome = current.Put(_replicas[region], value, context, _now, operationId: operation, window: _window);
        _feeds[region].Add(outcome.Written);
        Set(region, outcome.Record);
    }

    private void DeliverFeed(int from, int to, int count)
    {
        var start = _feedPosition[from, to];
        var take = Math.Min(count, _feeds[from].Count - start);
        if (take <= 0)
        {
            return;
        }

        _feedPosition[from, to] = start + take;
        Set(to, _state[to].Merge(_feeds[from].GetRange(start, take), window: _window).Record);
    }

    private void Resend(int from, int to) =>
        Set(to, _state[to].Merge(_state[from].Bins, _state[from].Operations, _window).Record);

    private void Set(int region, CausalRecord record)
    {
        if (!record.Clock.Covers(_state[region].Clock))
        {
            throw new SimulationFailure($"clock went backwards at {_replicas[region]}: {_state[region].Clock} → {record.Clock}");
        }

        _state[region] = record;
        Seen.Add(record);
        foreach (var bin in record.Bins)
        {
            if (!record.IsShown(bin))
            {
                _hiddenOnce[region].Add(bin.Dot);
            }
            else if (_checkHiddenStays && _hiddenOnce[region].Contains(bin.Dot))
            {
                throw new SimulationFailure($"{_replicas[region]} shows {bin} again after hiding it: {record}");
            }
        }
    }
}
