using OrleansCausal.Storage;

namespace OrleansCausal.Gateway.Endpoints;

/// <summary>Finds the store's own failure in what a grain call threw: Orleans wraps a grain-storage failure (for
/// example when an activation cannot load its record) in its own exception.</summary>
internal static class StoreFault
{
    public static RecordStoreException? Find(Exception? failure)
    {
        for (var current = failure; current is not null; current = current.InnerException)
        {
            if (current is RecordStoreException store)
            {
                return store;
            }
        }

        return null;
    }
}
