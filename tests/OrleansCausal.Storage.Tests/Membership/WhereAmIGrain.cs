using Orleans;
using Orleans.Placement;
using Orleans.Runtime;

namespace OrleansCausal.Storage.Tests.Membership;

/// <summary>A tiny grain that says which silo serves it.</summary>
public interface IWhereAmIGrain : IGrainWithStringKey
{
    /// <summary>The parsable address of the silo hosting this activation.</summary>
    Task<string> WhereAmI();
}

/// <summary>Placed on the calling silo, so a test can choose where it first lives.</summary>
[PreferLocalPlacement]
public sealed class WhereAmIGrain(ILocalSiloDetails silo) : Grain, IWhereAmIGrain
{
    public Task<string> WhereAmI() => Task.FromResult(silo.SiloAddress.ToParsableString());
}
