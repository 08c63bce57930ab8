using Microsoft.Extensions.Logging;
using OrleansCausal.Core;
using OrleansCausal.Runtime.Actors;
using OrleansCausal.Runtime.Diagnostics;
using OrleansCausal.Runtime.Namespaces;
using OrleansCausal.Storage;

namespace OrleansCausal.Runtime.Records;

/// <summary>
/// The untyped in-process API over the record actors: validates the namespace, key and value, routes to the key's
/// actor, applies the namespace's sibling cap and resolver, and counts and logs every prune. The HTTP gateway and
/// <see cref="Client.ICausalClient"/> are both built on it.
/// </summary>
public sealed class RecordService(
    RecordActorDirectory actors,
    NamespaceCatalog namespaces,
    RecordInputValidator validator,
    RuntimeMetrics metrics,
    ILogger<RecordService> logger)
{
    public RecordInputValidator Validator => validator;

    /// <summary>Checks the namespace and key; throws <see cref="RecordRequestException"/> when they are refused.</summary>
    public NamespaceSettings Resolve(RecordKey key)
    {
        var settings = namespaces.Get(key.Namespace);
        validator.ValidateKey(key.Key);
        return settings;
    }

    /// <summary>Reads a record; with <paramref name="atLeast"/> the answer reflects at least that context when this
    /// region's store holds it (the session guarantee).</summary>
    public async Task<RecordView> GetAsync(RecordKey key, VersionVector? atLeast, CancellationToken cancellationToken)
    {
        var settings = Resolve(key);
        var record = await actors.UseAsync(key, (actor, ct) => actor.ReadAsync(atLeast, ct), cancellationToken).ConfigureAwait(false);
        return View(key, record, settings);
    }

    /// <summary>Writes <paramref name="json"/> (already validated JSON text) or, when it is <c>null</c>, a tombstone.
    /// <paramref name="overrideAll"/> supersedes everything the store holds for the record now (<c>If-Match: *</c>).</summary>
    public async Task<RecordView> PutAsync(RecordKey key, string? json, VersionVector context, bool overrideAll, CancellationToken cancellationToken)
    {
        var settings = Resolve(key);
        var request = new PutRequest(key, json, context, settings.MaxSiblings, overrideAll);
        var result = await actors.UseAsync(key, (actor, ct) => actor.PutAsync(request, ct), cancellationToken).ConfigureAwait(false);
        if (result.Pruned > 0)
        {
            metrics.Pruned(key.Namespace, result.Pruned);
            RuntimeLog.LogWarningSiblingsPruned(logger, key.Namespace, key.Key, result.Pruned, settings.MaxSiblings, result.Written.Dot.ToString());
        }

        return View(key, result.Record, settings);
    }

    public Task<RecordView> DeleteAsync(RecordKey key, VersionVector context, bool overrideAll, CancellationToken cancellationToken) =>
        PutAsync(key, null, context, overrideAll, cancellationToken);

    private static RecordView View(RecordKey key, CausalRecord record, NamespaceSettings settings) =>
        new(key, record, settings.Resolver.Resolve(record.Siblings), settings);
}
