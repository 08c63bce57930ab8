using OrleansCausal.Core;

namespace OrleansCausal.Core.Tests;

internal static class TestReplicas
{
    public static readonly DateTimeOffset T0 = new(2026, 11, 22, 8, 0, 0, TimeSpan.Zero);

    public static readonly ReplicaId A = Replica("A");
    public static readonly ReplicaId B = Replica("B");
    public static readonly ReplicaId C = Replica("C");

    public static ReplicaId Replica(string region, uint epoch = 1) => new(RegionId.Parse(region), epoch);

    public static Dot Dot(ReplicaId replica, ulong counter) => new(replica, counter);

    public static VersionVector Vector(params (ReplicaId Replica, ulong Counter)[] entries) =>
        VersionVector.From(entries.Select(e => new VectorEntry(e.Replica, e.Counter)));

    public static string Json(string text) => System.Text.Json.JsonSerializer.Serialize(text);
}
