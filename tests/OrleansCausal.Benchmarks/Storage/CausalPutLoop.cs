using OrleansCausal.Core;
using OrleansCausal.Storage;

namespace OrleansCausal.Benchmarks.Storage;

/// <summary>
/// The causal side of every storage write workload: writer <c>w</c> rewrites its own keys in turn, each put carrying
/// the context its previous put on that key returned, so records stay one bin (the same shape as the raw upserts).
/// </summary>
internal static class CausalPutLoop
{
    public static async Task RunAsync(
        IRecordStore store, Dictionary<RecordKey, VersionVector> contexts, int writer, int count, int keysPerWriter, string payload)
    {
        for (var i = 0; i < count; i++)
        {
            var key = new RecordKey("bench", $"w{writer}-{i % keysPerWriter}");
            var context = contexts.GetValueOrDefault(key, VersionVector.Empty);
            var result = await store.PutAsync(new PutRequest(key, payload, context), CancellationToken.None);
            contexts[key] = result.Record.Context;
        }
    }
}
