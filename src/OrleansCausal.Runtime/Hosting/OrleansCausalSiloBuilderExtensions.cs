using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using OrleansCausal.Runtime.GrainStorage;
using OrleansCausal.Runtime.Grains;
using OrleansCausal.Runtime.Options;

namespace OrleansCausal.Runtime.Hosting;

public static class OrleansCausalSiloBuilderExtensions
{
    /// <summary>
    /// Adds the record runtime to a silo: the record grains, their dotted-bins grain storage over the registered
    /// <see cref="OrleansCausal.Storage.IRecordStore"/>, namespaces and limits bound from <paramref name="configuration"/>,
    /// <c>Actors:IdleTimeout</c> as Orleans' grain collection age and <c>Actors:ShedAtMemoryPercent</c> as its shedding
    /// of activations under memory pressure.
    /// </summary>
    public static ISiloBuilder AddOrleansCausal(this ISiloBuilder silo, IConfiguration configuration)
    {
        silo.Services.AddOrleansCausal(configuration);
        silo.Services.AddSingleton<IRecordNoticeBroadcast, RecordNoticeBroadcast>();
        silo.AddPlacementDirector<SiloKeyedPlacement, SiloKeyedPlacementDirector>();
        silo.AddDottedBinsGrainStorage(DottedBinsGrainStorageOptions.DefaultName, options => options.Configure(o => o.Region = configuration["Region"]));
        silo.Services.AddOptions<GrainCollectionOptions>()
            .Configure<IOptions<OrleansCausalOptions>>((collection, causal) =>
            {
                // Orleans looks for idle activations once per quantum: keep it well under the age so an idle grain
                // goes within about 1.5 x IdleTimeout.
                var actors = causal.Value.Actors;
                var idle = actors.IdleTimeout;
                collection.CollectionAge = idle;
                collection.CollectionQuantum = TimeSpan.FromTicks(Math.Min(collection.CollectionQuantum.Ticks, Math.Max(idle.Ticks / 2, TimeSpan.TicksPerSecond)));
                // Orleans' own shedding under memory pressure bounds the grains a stream of new keys leaves behind.
                collection.EnableActivationSheddingOnMemoryPressure = actors.ShedAtMemoryPercent > 0;
                if (actors.ShedAtMemoryPercent > 0)
                {
                    collection.MemoryUsageLimitPercentage = actors.ShedAtMemoryPercent;
                    collection.MemoryUsageTargetPercentage = actors.ShedAtMemoryPercent - ActorOptions.SheddingMargin;
                }
            });
        return silo;
    }
}
