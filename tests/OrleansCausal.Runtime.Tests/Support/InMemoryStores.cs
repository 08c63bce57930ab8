using OrleansCausal.Core;
using OrleansCausal.Runtime.Storage;

namespace OrleansCausal.Runtime.Tests.Support;

/// <summary>Opened in-memory stores of region A, for unit tests of the layers above a provider.</summary>
public static class InMemoryStores
{
    public static readonly RegionId RegionA = RegionId.Parse("A");

    public static async Task<InMemoryRecordStore> OpenAsync()
    {
        var store = new InMemoryRecordStore(RegionA);
        await store.OpenAsync(CancellationToken.None);
        return store;
    }
}
