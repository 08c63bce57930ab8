using System.Text.Json;

namespace OrleansCausal.Storage.Postgres;

/// <summary>
/// The payload of a change notification: which store instance (silo) committed the change, which record, and the
/// record's version after it. JSON, e.g. <c>{"s":"3f0c…","n":"default","k":"flight-42","v":7}</c>; NOTIFY payloads are
/// limited to 8000 bytes. Several changes sent together are packed into JSON arrays of such objects, each array within
/// the limit (<see cref="Pack"/>): delivering a notification costs both the server and every listening silo far more
/// than its bytes, and a merged replication batch changes hundreds of records at once.
/// </summary>
internal static class PostgresNotification
{
    public const int MaxPayloadBytes = 7999;

    public static string Encode(Guid source, RecordKey key, long version)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("s", source.ToString("N"));
            writer.WriteString("n", key.Namespace);
            writer.WriteString("k", key.Key);
            writer.WriteNumber("v", version);
            writer.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    /// <summary>Packs single-change payloads (from <see cref="Encode"/>, each at most <see cref="MaxPayloadBytes"/>
    /// bytes) into as few payloads as fit the limit, in order; a lone change is sent as it is.</summary>
    public static List<string> Pack(IReadOnlyCollection<string> changes)
    {
        var packed = new List<string>();
        var current = new List<string>();
        var bytes = 1; // '['
        foreach (var change in changes)
        {
            var size = System.Text.Encoding.UTF8.GetByteCount(change) + 1; // ',' or ']'
            if (current.Count > 0 && bytes + size > MaxPayloadBytes)
            {
                packed.Add(Join(current));
                current.Clear();
                bytes = 1;
            }

            current.Add(change);
            bytes += size;
        }

        if (current.Count > 0)
        {
            packed.Add(Join(current));
        }

        return packed;

        // A change too long to be wrapped alone still went through Encode's limit: send it unwrapped.
        static string Join(List<string> changes) =>
            changes.Count == 1 ? changes[0] : "[" + string.Join(',', changes) + "]";
    }

    /// <summary>Every change in a payload: one object, or an array of them (see <see cref="Pack"/>).</summary>
    public static List<(Guid Source, RecordKey Key, long Version)> DecodeAll(string payload)
    {
        using var document = JsonDocument.Parse(payload);
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Array)
        {
            return [Decode(root)];
        }

        var changes = new List<(Guid, RecordKey, long)>(root.GetArrayLength());
        foreach (var change in root.EnumerateArray())
        {
            changes.Add(Decode(change));
        }

        return changes;
    }

    private static (Guid Source, RecordKey Key, long Version) Decode(JsonElement root)
    {
        var source = Guid.ParseExact(root.GetProperty("s").GetString() ?? string.Empty, "N");
        var ns = root.GetProperty("n").GetString() ?? throw new FormatException("The notification names no namespace.");
        var key = root.GetProperty("k").GetString() ?? throw new FormatException("The notification names no key.");
        var version = root.GetProperty("v").GetInt64();
        return (source, new RecordKey(ns, key), version);
    }
}
