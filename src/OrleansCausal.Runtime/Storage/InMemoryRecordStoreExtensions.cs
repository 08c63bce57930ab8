using Microsoft.Extensions.DependencyInjection;
using OrleansCausal.Core;
using OrleansCausal.Storage;

namespace OrleansCausal.Runtime.Storage;

public static class InMemoryRecordStoreExtensions
{
    /// <summary>Registers a volatile store (<c>Store=memory:</c>; demos and tests only: nothing survives the process).</summary>
    /// <param name="operations">The window of remembered operations (<c>Idempotency:*</c>); the default when null.</param>
    public static IServiceCollection AddInMemoryRecordStore(this IServiceCollection services, RegionId region, OperationWindow? operations = null) =>
        services.AddSingleton<IRecordStore>(sp => new InMemoryRecordStore(region, sp.GetService<TimeProvider>(), operations));
}
