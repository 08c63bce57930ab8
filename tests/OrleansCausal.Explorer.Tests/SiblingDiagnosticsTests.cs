using OrleansCausal.Runtime.Diagnostics;
using OrleansCausal.Storage;

namespace OrleansCausal.Explorer.Tests;

/// <summary>The per-silo top list behind <c>GET /v1/diagnostics/siblings</c>: bounded, most siblings first.</summary>
public sealed class SiblingDiagnosticsTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 22, 8, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Written_WhenMoreKeysThanTheTopList_KeepsTheKeysWithTheMostSiblings()
    {
        var diagnostics = new SiblingDiagnostics();
        for (var i = 2; i < SiblingDiagnostics.TopKeys + 12; i++)
        {
            diagnostics.Written(new RecordKey("seats", $"k{i}"), i, T0);
        }

        var seats = Assert.Single(diagnostics.Snapshot());
        Assert.Equal(SiblingDiagnostics.TopKeys, seats.Keys.Count);
        Assert.Equal(SiblingDiagnostics.TopKeys + 11, seats.Keys[0].Siblings);
        Assert.Equal(12, seats.Keys[^1].Siblings);
        Assert.Equal(SiblingDiagnostics.TopKeys + 10, seats.Writes);
    }

    [Fact]
    public void Written_WhenAKeyIsResolvedToOneValue_DropsItFromTheList()
    {
        var diagnostics = new SiblingDiagnostics();
        diagnostics.Written(new RecordKey("seats", "a"), 3, T0);
        diagnostics.Written(new RecordKey("seats", "b"), 2, T0);
        diagnostics.Written(new RecordKey("seats", "a"), 1, T0.AddSeconds(1));

        var seats = Assert.Single(diagnostics.Snapshot());
        Assert.Equal(["b"], seats.Keys.Select(k => k.Key));
    }

    [Fact]
    public void Pruned_CountsPerNamespace_AndNamespacesAreBounded()
    {
        var diagnostics = new SiblingDiagnostics();
        diagnostics.Pruned("seats", 2);
        diagnostics.Pruned("seats", 3);
        for (var i = 0; i < SiblingDiagnostics.MaxNamespaces + 5; i++)
        {
            diagnostics.Written(new RecordKey($"ns{i}", "k"), 2, T0);
        }

        var snapshot = diagnostics.Snapshot();
        Assert.Equal(SiblingDiagnostics.MaxNamespaces, snapshot.Count);
        Assert.Equal(5, snapshot.Single(n => n.Namespace == "seats").Pruned);
    }
}
