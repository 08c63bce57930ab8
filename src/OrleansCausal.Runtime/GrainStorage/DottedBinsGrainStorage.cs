using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging;
using Orleans.Storage;
using OrleansCausal.Runtime.Diagnostics;
using OrleansCausal.Runtime.Grains;
using OrleansCausal.Storage;

namespace OrleansCausal.Runtime.GrainStorage;

/// <summary>
/// The dotted-bins grain storage: an Orleans <see cref="IGrainStorage"/> over an <see cref="IRecordStore"/>. It stores
/// a record bin by bin (the backends keep one row per bin), uses the record version as the ETag, and turns a version
/// mismatch into Orleans' <see cref="InconsistentStateException"/> with nothing written. The store appends the
/// region's own new bins to the change feed in the same transaction and commits concurrent grains' writes together
/// (group commit). It opens the store when the silo starts and closes it when the silo stops.
/// </summary>
public sealed class DottedBinsGrainStorage(
    string name,
    DottedBinsGrainStorageOptions options,
    IRecordStore store,
    ILogger<DottedBinsGrainStorage> logger,
    RuntimeMetrics? metrics = null) : IGrainStorage, ILifecycleParticipant<ISiloLifecycle>
{
    public IRecordStore Store => store;

    public async Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        var state = StateOf(grainState);
        StoredRecord stored;
        try
        {
            stored = await store.LoadAsync(KeyOf(grainId), CancellationToken.None).ConfigureAwait(false);
        }
        catch
        {
            metrics?.StoreFailed("read");
            throw;
        }

        state.Record = stored.Record;
        state.Persisted = stored.Record;
        grainState.ETag = stored.Version == 0 ? null : Format(stored.Version);
        grainState.RecordExists = stored.Version != 0;
    }

    public async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        var state = StateOf(grainState);
        var key = KeyOf(grainId);
        var expected = grainState.ETag is null ? 0 : long.Parse(grainState.ETag, CultureInfo.InvariantCulture);
        using var activity = CausalTracing.Source.StartActivity("dotted_bins.write");
        activity?.SetTag("orleans_causal.key", key.ToString());
        activity?.SetTag("orleans_causal.expected_version", expected);
        try
        {
            var result = await store.WriteAsync(new RecordWrite(key, expected, state.Persisted, state.Record), CancellationToken.None).ConfigureAwait(false);
            state.Persisted = state.Record;
            grainState.ETag = Format(result.Version);
            grainState.RecordExists = true;
            activity?.SetTag("orleans_causal.version", result.Version);
        }
        catch (RecordVersionConflictException conflict)
        {
            activity?.SetTag("orleans_causal.conflict", true);
            GrainStorageLog.LogDebugVersionConflict(logger, name, key.ToString(), conflict.ExpectedVersion, conflict.ActualVersion);
            throw new InconsistentStateException(conflict.Message, Format(conflict.ActualVersion), grainState.ETag ?? "none", conflict);
        }
        catch (Exception e)
        {
            metrics?.StoreFailed("write");
            activity?.SetStatus(ActivityStatusCode.Error, e.Message);
            throw;
        }
    }

    /// <summary>Records are never cleared: a delete is a tombstone bin written like any value (DESIGN.md §1).</summary>
    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        throw new NotSupportedException($"Grain storage '{name}' never clears a record: write a tombstone (a delete) instead.");

    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(OptionFormattingUtilities.Name<DottedBinsGrainStorage>(name), options.InitStage, OpenAsync, CloseAsync);

    private async Task OpenAsync(CancellationToken cancellationToken)
    {
        await store.OpenAsync(cancellationToken).ConfigureAwait(false);
        if (options.Region is { } region && !string.Equals(store.Replica.Region.Value, region, StringComparison.Ordinal))
        {
            throw new InvalidOperationException(
                $"The store {store.Description} belongs to region '{store.Replica.Region}', but this silo is configured for region '{region}'.");
        }

        GrainStorageLog.LogInformationStoreOpen(logger, name, store.Description, store.Replica.ToString());
    }

    private async Task CloseAsync(CancellationToken cancellationToken)
    {
        await store.DisposeAsync().ConfigureAwait(false);
        GrainStorageLog.LogInformationStoreClosed(logger, name, store.Description);
    }

    private static RecordState StateOf<T>(IGrainState<T> grainState) =>
        grainState.State as RecordState
        ?? throw new NotSupportedException($"The dotted-bins grain storage holds {nameof(RecordState)} only, not {typeof(T).Name}.");

    private static RecordKey KeyOf(GrainId grainId) => RecordGrainKey.Parse(grainId.Key.ToString()!);

    private static string Format(long version) => version.ToString(CultureInfo.InvariantCulture);
}
