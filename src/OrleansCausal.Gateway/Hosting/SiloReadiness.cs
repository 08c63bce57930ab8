namespace OrleansCausal.Gateway.Hosting;

/// <summary>Whether the silo can serve: the store is open and the host is not stopping.</summary>
public sealed class SiloReadiness
{
    private volatile bool _storeOpen;

    public bool StoreOpen
    {
        get => _storeOpen;
        internal set => _storeOpen = value;
    }
}
