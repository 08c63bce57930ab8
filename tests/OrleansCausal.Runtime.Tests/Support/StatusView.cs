using System.Net.Http.Json;
using System.Text.Json;

namespace OrleansCausal.Runtime.Tests.Support;

/// <summary>The members of <c>GET /v1/status</c> the process tests read: record grains active on this silo, and the
/// region's cluster as this silo sees it.</summary>
public sealed record StatusView(int RecordGrains, ClusterView Cluster)
{
    public static async Task<StatusView> ReadAsync(HttpClient client, CancellationToken cancellationToken) =>
        await client.GetFromJsonAsync<StatusView>("/v1/status", JsonSerializerOptions.Web, cancellationToken)
            ?? throw new InvalidOperationException("GET /v1/status answered null.");
}
