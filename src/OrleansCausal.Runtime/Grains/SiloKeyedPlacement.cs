using Orleans.Placement;
using Orleans.Runtime.Placement;

namespace OrleansCausal.Runtime.Grains;

/// <summary>Places a grain on the silo its string key names (<see cref="SiloAddress.ToParsableString"/>): a grain per
/// silo that another silo can call. Activation fails when that silo is not an active member.</summary>
[Serializable, GenerateSerializer, Immutable]
public sealed class SiloKeyedPlacement : PlacementStrategy
{
    internal static readonly SiloKeyedPlacement Instance = new();
}

[AttributeUsage(AttributeTargets.Class, AllowMultiple = false)]
public sealed class SiloKeyedPlacementAttribute() : PlacementAttribute(SiloKeyedPlacement.Instance);

internal sealed class SiloKeyedPlacementDirector : IPlacementDirector
{
    public Task<SiloAddress> OnAddActivation(PlacementStrategy strategy, PlacementTarget target, IPlacementContext context)
    {
        var key = target.GrainIdentity.Key.ToString();
        var silo = SiloAddress.FromParsableString(key);
        if (!context.GetCompatibleSilos(target).Contains(silo))
        {
            throw new OrleansException($"Silo {key} is not an active member of the cluster; its per-silo grain {target.GrainIdentity} cannot be placed.");
        }

        return Task.FromResult(silo);
    }
}
