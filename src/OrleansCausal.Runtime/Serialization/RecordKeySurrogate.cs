using OrleansCausal.Storage;

namespace OrleansCausal.Runtime.Serialization;

/// <summary>How a <see cref="RecordKey"/> crosses silos (the storage contract needs no Orleans reference).</summary>
[GenerateSerializer]
public struct RecordKeySurrogate
{
    [Id(0)]
    public string Namespace;

    [Id(1)]
    public string Key;
}

[RegisterConverter]
public sealed class RecordKeySurrogateConverter : IConverter<RecordKey, RecordKeySurrogate>
{
    public RecordKey ConvertFromSurrogate(in RecordKeySurrogate surrogate) => new(surrogate.Namespace, surrogate.Key);

    public RecordKeySurrogate ConvertToSurrogate(in RecordKey value) => new() { Namespace = value.Namespace, Key = value.Key };
}
