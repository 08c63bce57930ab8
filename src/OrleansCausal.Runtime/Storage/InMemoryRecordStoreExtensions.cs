using Microsoft.Extensions.DependencyInjection;
using OrleansCausal.Core;
using OrleansCausal.Storage;

namespace OrleansCausal.Runtime.Storage;

public static class InMemoryRecordStoreExtensions
{
    /// <summary>Registers a volatile store (<c>Store=memory:</c>; demos and tests only: nothing survives the process).</summary>
    public static IServiceCollection AddInMemoryRecordStore(this IServiceCollection services, RegionId region) =>
        services.AddSingleton<IRecordStore>(sp => new InMemoryRecordStore(region, sp.GetService<TimeProvider>()));
}
