using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Storage;
using OrleansCausal.Runtime.Diagnostics;
using OrleansCausal.Storage;

namespace OrleansCausal.Runtime.GrainStorage;

public static class DottedBinsGrainStorageExtensions
{
    /// <summary>Registers a dotted-bins grain storage named <paramref name="name"/> over the <see cref="IRecordStore"/>
    /// registered in the container (the store's backend registers it: <c>AddSqliteRecordStore</c>,
    /// <c>AddPostgresRecordStore</c>, …). The storage opens the store at silo start.</summary>
    public static ISiloBuilder AddDottedBinsGrainStorage(
        this ISiloBuilder builder, string name, Action<OptionsBuilder<DottedBinsGrainStorageOptions>>? configureOptions = null)
    {
        configureOptions?.Invoke(builder.Services.AddOptions<DottedBinsGrainStorageOptions>(name).ValidateOnStart());
        builder.Services.AddOptions<DottedBinsGrainStorageOptions>(name).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<DottedBinsGrainStorageOptions>, DottedBinsGrainStorageOptionsValidator>();
        builder.Services.AddKeyedSingleton(name, static (sp, key) => new DottedBinsGrainStorage(
            (string)key!,
            sp.GetRequiredService<IOptionsMonitor<DottedBinsGrainStorageOptions>>().Get((string)key!),
            sp.GetRequiredService<IRecordStore>(),
            sp.GetRequiredService<ILogger<DottedBinsGrainStorage>>(),
            sp.GetService<RuntimeMetrics>()));
        builder.Services.AddKeyedSingleton<IGrainStorage>(name, static (sp, key) => sp.GetRequiredKeyedService<DottedBinsGrainStorage>(key));
        builder.Services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(sp => sp.GetRequiredKeyedService<DottedBinsGrainStorage>(name));
        return builder;
    }
}
