using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using OrleansCausal.Gateway.Auth;
using OrleansCausal.Gateway.Contracts;
using OrleansCausal.Gateway.Hosting;
using Orleans.Runtime;
using OrleansCausal.Runtime.Grains;
using OrleansCausal.Runtime.Namespaces;
using OrleansCausal.Runtime.Diagnostics;
using OrleansCausal.Runtime.Replication;
using OrleansCausal.Runtime.Storage;
using OrleansCausal.Storage;

namespace OrleansCausal.Gateway.Endpoints;

/// <summary><c>GET /v1/status</c> (API key required). The health endpoints are in <see cref="Health.HealthEndpoints"/>.</summary>
public static class StatusEndpoints
{
    public static IEndpointRouteBuilder MapStatus(this IEndpointRouteBuilder app)
    {
        app.MapGet("/v1/status", GetStatusAsync)
            .WithTags("Status")
            .WithName("GetStatus")
            .WithSummary("Read the silo's status")
            .WithDescription("Region, replica, store, the region's cluster, record grains active here, namespaces, per-peer replication state, the writes this silo answered as replays of an Idempotency-Key the record already held, and storage: live records, tombstone-only records, change-feed entries, bytes and the last garbage-collection round (stable cut, what held it back).")
            .RequireAuthorization(ApiKeyAuthentication.Policy)
            .ProducesProblem(StatusCodes.Status401Unauthorized);
        return app;
    }

    private static async Task<Ok<StatusResponse>> GetStatusAsync(
        SiloSettings settings,
        IRecordStore store,
        RecordChangeNotices activeGrains,
        IClusterMembershipService membership,
        NamespaceCatalog namespaces,
        IReplicationStatus replication,
        RuntimeMetrics metrics,
        IStorageStatus storage,
        CancellationToken cancellationToken)
    {
        var peers = await replication.GetPeersAsync(cancellationToken);
        var storageStatus = await storage.GetAsync(cancellationToken);
        var configured = namespaces.Configured
            .OrderBy(n => n.Name, StringComparer.Ordinal)
            .Select(n => new NamespaceStatus(n.Name, n.ResolverSpecification, n.MaxSiblings))
            .ToArray();
        return TypedResults.Ok(new StatusResponse(
            settings.Region.Value, store.Replica.ToString(), store.Description, activeGrains.Count, Cluster(settings, membership), configured, namespaces.IsOpen, peers, storageStatus)
        {
            ReplayedWrites = metrics.ReplayedTotal,
        });
    }

    private static ClusterStatus Cluster(SiloSettings settings, IClusterMembershipService membership) =>
        new(settings.Region.Value, membership.CurrentSnapshot.Members.Values
            .OrderBy(m => m.SiloAddress.ToString(), StringComparer.Ordinal)
            .Select(m => new ClusterSiloStatus(m.SiloAddress.ToString(), m.Status.ToString().ToLowerInvariant()))
            .ToArray());
}
