using Orleans.Runtime;
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

    /// <summary>Whether the call failed because a silo of the region is unreachable (killed, not yet declared dead):
    /// transient. A write that failed this way may still have been applied (the silo died after its commit); a retry
    /// with the same context then at worst adds a sibling, it never loses a write.</summary>
    public static bool IsClusterTransient(Exception? failure)
    {
        for (var current = failure; current is not null; current = current.InnerException)
        {
            if (current is SiloUnavailableException or OrleansMessageRejectionException)
            {
                return true;
            }
        }

        return false;
    }
}
