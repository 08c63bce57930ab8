namespace OrleansCausal.Storage;

/// <summary>The identity of a record: a namespace and a key within it. Validated by the layers above.</summary>
public readonly record struct RecordKey(string Namespace, string Key)
{
    public override string ToString() => $"{Namespace}/{Key}";
}
