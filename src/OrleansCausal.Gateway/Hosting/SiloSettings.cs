using OrleansCausal.Core;

namespace OrleansCausal.Gateway.Hosting;

/// <summary>The silo-level settings resolved when the application is built: region, store, signing key (when
/// configured), API keys and listen addresses.</summary>
public sealed record SiloSettings(
    RegionId Region,
    bool RegionDefaulted,
    StoreSpecification Store,
    string? SigningKey,
    IReadOnlyList<string> ApiKeys,
    IReadOnlyList<string> Urls);
