using System.Text.Json;
using System.Text.Json.Serialization;

namespace OrleansCausal.Gateway.Contracts;

/// <summary>A JSON value stored as text and written into a response verbatim (it was validated when written).</summary>
[JsonConverter(typeof(RawJsonConverter))]
public readonly record struct RawJson(string Text);

internal sealed class RawJsonConverter : JsonConverter<RawJson>
{
    public override RawJson Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        using var document = JsonDocument.ParseValue(ref reader);
        return new RawJson(document.RootElement.GetRawText());
    }

    public override void Write(Utf8JsonWriter writer, RawJson value, JsonSerializerOptions options) =>
        writer.WriteRawValue(value.Text, skipInputValidation: true);
}
