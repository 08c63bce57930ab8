using OrleansCausal.Core;
using OrleansCausal.Storage;

namespace OrleansCausal.Benchmarks.Grains;

/// <summary>Each benchmark side's own keys in namespace <c>default</c>, and the empty context each starts from.</summary>
internal static class BenchmarkKeys
{
    public const int PerSide = 16;

    public static RecordKey[] For(string side) =>
        [.. Enumerable.Range(0, PerSide).Select(i => new RecordKey("default", $"{side}-{i}"))];

    public static VersionVector[] EmptyContexts() => [.. Enumerable.Repeat(VersionVector.Empty, PerSide)];
}
