using OrleansCausal.Core;
using OrleansCausal.Runtime.Storage;

namespace OrleansCausal.Runtime.Tests.Support;

/// <summary>Opened in-memory stores of region A, for unit tests of the layers above a provider.</summary>
public static class InMemoryStores
{
    public static readonly RegionId RegionA = RegionId.Parse("A");

    /// <summary>A store not yet opened: a test silo's grain storage opens it.</summary>
    public static InMemoryRecordStore Create() => new(RegionA);

    public static async Task<InMemoryRecordStore> OpenAsync()
    {
        var store = new InMemoryRecordStore(RegionA);
        await store.OpenAsync(CancellationToken.None);
        return store;
    }
}
