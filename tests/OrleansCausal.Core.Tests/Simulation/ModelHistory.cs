using OrleansCausal.Core;

namespace OrleansCausal.Core.Tests.Simulation;

/// <summary>
/// The independent reference model of one record across regions. It knows nothing of version vectors: a
/// context is the plain set of dots its reader had seen, and a write survives iff no write that reached the same
/// place carries a context containing its dot.
/// </summary>
internal sealed class ModelHistory
{
    private readonly Dictionary<Dot, ModelWrite> _writes = [];
    private readonly Dictionary<RegionId, HashSet<Dot>> _received = [];

    public IReadOnlyDictionary<Dot, ModelWrite> Writes => _writes;

    public void Issue(RegionId at, Dot dot, string? value, IReadOnlySet<Dot> context)
    {
        if (!_writes.TryAdd(dot, new ModelWrite(dot, value, context)))
        {
            throw new InvalidOperationException($"Dot {dot} was issued twice.");
        }

        Received(at).Add(dot);
    }

    public void Deliver(RegionId to, IEnumerable<Dot> dots) => Received(to).UnionWith(dots);

    /// <summary>The dots a reader at <paramref name="region"/> has seen: everything received and every context of it.</summary>
    public HashSet<Dot> Seen(RegionId region)
    {
        var seen = new HashSet<Dot>(Received(region));
        foreach (var dot in Received(region))
        {
            seen.UnionWith(_writes[dot].Context);
        }

        return seen;
    }

    /// <summary>The bins <paramref name="region"/> must hold: what it received, less what any received context covers.</summary>
    public HashSet<Dot> ExpectedAt(RegionId region) => Survivors(Received(region));

    /// <summary>The bins every region must hold once everything reached everywhere.</summary>
    public HashSet<Dot> ExpectedEverywhere() => Survivors(_writes.Keys);

    private HashSet<Dot> Survivors(IEnumerable<Dot> dots)
    {
        var set = dots.ToHashSet();
        var covered = new HashSet<Dot>();
        foreach (var dot in set)
        {
            covered.UnionWith(_writes[dot].Context);
        }

        set.ExceptWith(covered);
        return set;
    }

    private HashSet<Dot> Received(RegionId region)
    {
        if (!_received.TryGetValue(region, out var set))
        {
            _received[region] = set = [];
        }

        return set;
    }
}

internal sealed record ModelWrite(Dot Dot, string? Value, IReadOnlySet<Dot> Context);
