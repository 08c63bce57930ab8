using OrleansCausal.Storage;

namespace OrleansCausal.Runtime.Grains;

/// <summary>A record grain's key: <c>{namespace}/{key}</c>. Namespaces never contain '/', keys may, so the first '/'
/// separates them.</summary>
public static class RecordGrainKey
{
    public static string Format(RecordKey key) => string.Concat(key.Namespace, "/", key.Key);

    public static RecordKey Parse(string grainKey)
    {
        var slash = grainKey.IndexOf('/', StringComparison.Ordinal);
        if (slash <= 0)
        {
            throw new FormatException($"'{grainKey}' is not a record grain key of the form 'namespace/key'.");
        }

        return new RecordKey(grainKey[..slash], grainKey[(slash + 1)..]);
    }

    public static IRecordGrain GetRecordGrain(this IGrainFactory grains, RecordKey key) =>
        grains.GetGrain<IRecordGrain>(Format(key));
}
