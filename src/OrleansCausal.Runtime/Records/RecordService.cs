using Microsoft.Extensions.Options;
using OrleansCausal.Core;
using OrleansCausal.Runtime.Grains;
using OrleansCausal.Runtime.Namespaces;
using OrleansCausal.Runtime.Options;
using OrleansCausal.Storage;

namespace OrleansCausal.Runtime.Records;

/// <summary>
/// The in-silo entry to records for the gateway and business code: checks the namespace and key, calls the record's
/// grain through <see cref="IGrainFactory"/>, and resolves the namespace's display value.
/// </summary>
public sealed class RecordService(
    IGrainFactory grains,
    NamespaceCatalog namespaces,
    RecordInputValidator validator,
    RecordChangeNotices activeRecords,
    IOptions<OrleansCausalOptions> options,
    TimeProvider time)
{
    private readonly long _maxCacheAgeTicks = (long)(options.Value.Actors.MaxCacheAge.TotalSeconds * time.TimestampFrequency);

    public RecordInputValidator Validator => validator;

    /// <summary>The namespace settings of <paramref name="key"/>; refuses an unknown namespace or a bad key.</summary>
    public NamespaceSettings Resolve(RecordKey key)
    {
        var settings = namespaces.Get(key.Namespace);
        validator.ValidateKey(key.Key);
        return settings;
    }

    public async Task<RecordView> GetAsync(RecordKey key, VersionVector? atLeast, CancellationToken cancellationToken)
    {
        var settings = Resolve(key);
        // The record's grain is active in this silo with a fresh committed record: answer from it without a grain
        // call (the grain would answer the same from its cache). Otherwise ask the grain, wherever it is.
        var snapshot = activeRecords.TryGetFresh(key, atLeast, time.GetTimestamp(), _maxCacheAgeTicks)
            ?? await grains.GetRecordGrain(key).ReadAsync(atLeast).WaitAsync(cancellationToken).ConfigureAwait(false);
        return View(key, snapshot.Record, settings);
    }

    /// <summary>A put (<paramref name="json"/>) or delete (null); <paramref name="writer"/> names who writes (an API
    /// key's name or an in-process caller's, at most <see cref="Bin.MaxWriterLength"/> characters), or null.
    /// <paramref name="operationId"/> (see <see cref="OperationIds"/>) makes it idempotent: when the record already
    /// holds that operation nothing is written and the view says <see cref="RecordView.Replayed"/>.</summary>
    public async Task<RecordView> PutAsync(
        RecordKey key, string? json, VersionVector context, bool overrideAll, CancellationToken cancellationToken, string? writer = null, string? operationId = null)
    {
        var settings = Resolve(key);
        validator.ValidateOperationId(operationId);
        var outcome = await grains.GetRecordGrain(key).WriteAsync(new RecordWriteCommand(json, context, overrideAll, writer, operationId)).ConfigureAwait(false);
        return View(key, outcome.Snapshot.Record, settings) with { Replayed = outcome.Replayed };
    }

    public Task<RecordView> DeleteAsync(
        RecordKey key, VersionVector context, bool overrideAll, CancellationToken cancellationToken, string? writer = null, string? operationId = null) =>
        PutAsync(key, null, context, overrideAll, cancellationToken, writer, operationId);

    private static RecordView View(RecordKey key, CausalRecord record, NamespaceSettings settings) =>
        new(key, record, settings.Resolver.Resolve(record.DistinctSiblings), settings);
}
