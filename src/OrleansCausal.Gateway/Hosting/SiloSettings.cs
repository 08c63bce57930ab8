using OrleansCausal.Core;
using OrleansCausal.Gateway.Auth;

namespace OrleansCausal.Gateway.Hosting;

/// <summary>The silo-level settings resolved when the application is built: region, store, signing key (when
/// configured), named API keys and listen addresses.</summary>
public sealed record SiloSettings(
    RegionId Region,
    bool RegionDefaulted,
    StoreSpecification Store,
    string? SigningKey,
    IReadOnlyList<ApiKey> ApiKeys,
    IReadOnlyList<string> Urls);
