using System.Text.Json;

namespace OrleansCausal.Storage.Postgres;

/// <summary>
/// The payload of a change notification: which store instance (silo) committed the change, which record, and the
/// record's version after it. JSON, e.g. <c>{"s":"3f0c…","n":"default","k":"flight-42","v":7}</c>; NOTIFY payloads are
/// limited to 8000 bytes.
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

    public static (Guid Source, RecordKey Key, long Version) Decode(string payload)
    {
        using var document = JsonDocument.Parse(payload);
        var root = document.RootElement;
        var source = Guid.ParseExact(root.GetProperty("s").GetString() ?? string.Empty, "N");
        var ns = root.GetProperty("n").GetString() ?? throw new FormatException("The notification names no namespace.");
        var key = root.GetProperty("k").GetString() ?? throw new FormatException("The notification names no key.");
        var version = root.GetProperty("v").GetInt64();
        return (source, new RecordKey(ns, key), version);
    }
}
