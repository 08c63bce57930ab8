using System.Text.Json;
using OrleansCausal.Core;
using OrleansCausal.Runtime.Records;
using OrleansCausal.Storage;

namespace OrleansCausal.Runtime.Client;

/// <summary><see cref="ICausalClient"/> over <see cref="RecordService"/>; <paramref name="writer"/> names who writes
/// (null: unknown).</summary>
internal sealed class CausalClient(RecordService records, string? writer = null) : ICausalClient
{
    public ICausalClient As(string writer)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(writer);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(writer.Length, Bin.MaxWriterLength, nameof(writer));
        return new CausalClient(records, writer);
    }

    private static readonly JsonSerializerOptions Json = JsonSerializerOptions.Web;

    public async Task<CausalValue<T>> GetAsync<T>(string @namespace, string key, CausalContext? context, CancellationToken cancellationToken)
    {
        var recordKey = new RecordKey(@namespace, key);
        var view = await records.GetAsync(recordKey, context?.For(recordKey), cancellationToken).ConfigureAwait(false);
        return ToValue<T>(view);
    }

    public async Task<CausalValue<T>> PutAsync<T>(string @namespace, string key, T value, CausalContext? context, CancellationToken cancellationToken, string? operationId)
    {
        var recordKey = new RecordKey(@namespace, key);
        var json = records.Validator.ValidateValue(JsonSerializer.SerializeToUtf8Bytes(value, Json));
        var view = await records.PutAsync(recordKey, json, context?.For(recordKey) ?? VersionVector.Empty, overrideAll: false, cancellationToken, writer, operationId).ConfigureAwait(false);
        return ToValue<T>(view);
    }

    public async Task<CausalContext> DeleteAsync(string @namespace, string key, CausalContext? context, CancellationToken cancellationToken, string? operationId)
    {
        var recordKey = new RecordKey(@namespace, key);
        var view = await records.DeleteAsync(recordKey, context?.For(recordKey) ?? VersionVector.Empty, overrideAll: false, cancellationToken, writer, operationId).ConfigureAwait(false);
        return new CausalContext(recordKey, view.Context);
    }

    private static CausalValue<T> ToValue<T>(RecordView view)
    {
        var siblings = new CausalSibling<T>[view.Siblings.Count];
        for (var i = 0; i < siblings.Length; i++)
        {
            var bin = view.Siblings[i];
            siblings[i] = new CausalSibling<T>(Deserialize<T>(bin.Value!), bin.Dot.ToString(), bin.Dot.Region.Value, bin.WrittenAt, bin.Writer);
        }

        var chosen = view.Chosen is null ? default : Deserialize<T>(view.Chosen.Value!);
        return new CausalValue<T>(view.Found, chosen, siblings, new CausalContext(view.Key, view.Context)) { Replayed = view.Replayed };
    }

    private static T? Deserialize<T>(string json) => JsonSerializer.Deserialize<T>(json, Json);
}
