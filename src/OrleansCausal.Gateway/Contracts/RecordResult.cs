using System.Reflection;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Metadata;
using OrleansCausal.Core;
using OrleansCausal.Runtime.Records;

namespace OrleansCausal.Gateway.Contracts;

/// <summary>
/// The 200 answer of GET and PUT: the body <see cref="RecordResponse"/> describes (and the API document shows), written
/// straight from the <see cref="RecordView"/> into the response with one <see cref="Utf8JsonWriter"/>. A record at the
/// sibling cap answers 32 siblings per request; building a <see cref="RecordResponse"/> and handing it to the
/// serializer cost about 25× the copying of the values themselves (README, benchmarks). Each stored value is valid JSON
/// (checked when written) and is copied verbatim, never parsed. The field names and formats must stay those of
/// <see cref="RecordResponse"/> under the web defaults: a test compares both on random records.
/// </summary>
public sealed class RecordResult(RecordView view, string context) : IResult, IEndpointMetadataProvider, IStatusCodeHttpResult
{
    public int? StatusCode => StatusCodes.Status200OK;

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        var response = httpContext.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "application/json; charset=utf-8";
        await using (var writer = new Utf8JsonWriter(response.BodyWriter))
        {
            Write(writer, view, context);
        }

        await response.BodyWriter.FlushAsync(httpContext.RequestAborted);
    }

    /// <summary>Writes the body of <see cref="RecordResponse.From"/>(<paramref name="record"/>, <paramref name="token"/>).</summary>
    public static void Write(Utf8JsonWriter writer, RecordView record, string token)
    {
        Span<char> dot = stackalloc char[Dot.MaxTextLength];
        writer.WriteStartObject();
        writer.WriteString(Names.Namespace, record.Key.Namespace);
        writer.WriteString(Names.Key, record.Key.Key);
        writer.WritePropertyName(Names.Value);
        if (record.Chosen is { } chosen)
        {
            writer.WriteRawValue(chosen.Value!, skipInputValidation: true);
        }
        else
        {
            writer.WriteNullValue();
        }

        writer.WriteStartArray(Names.Siblings);
        foreach (var bin in record.Siblings)
        {
            writer.WriteStartObject();
            writer.WritePropertyName(Names.Value);
            writer.WriteRawValue(bin.Value!, skipInputValidation: true);
            bin.Dot.TryFormat(dot, out var dotLength);
            writer.WriteString(Names.Dot, dot[..dotLength]);
            writer.WriteString(Names.Region, bin.Dot.Region.Value);
            writer.WriteString(Names.WrittenAt, bin.WrittenAt);
            if (bin.Writer is { } name)
            {
                writer.WriteString(Names.Writer, name);
            }

            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteStartArray(Names.Values);
        foreach (var group in record.Values)
        {
            writer.WriteStartObject();
            writer.WritePropertyName(Names.Value);
            writer.WriteRawValue(group.Value, skipInputValidation: true);
            writer.WriteStartArray(Names.Dots);
            foreach (var holder in group.Dots)
            {
                holder.TryFormat(dot, out var holderLength);
                writer.WriteStringValue(dot[..holderLength]);
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteString(Names.Context, token);
        writer.WriteEndObject();
    }

    /// <summary>The property names of <see cref="RecordResponse"/>, <see cref="SiblingResponse"/> and <see cref="ValueResponse"/> under the web defaults (camelCase), encoded once.</summary>
    private static class Names
    {
        public static readonly JsonEncodedText Namespace = JsonEncodedText.Encode("namespace");
        public static readonly JsonEncodedText Key = JsonEncodedText.Encode("key");
        public static readonly JsonEncodedText Value = JsonEncodedText.Encode("value");
        public static readonly JsonEncodedText Siblings = JsonEncodedText.Encode("siblings");
        public static readonly JsonEncodedText Values = JsonEncodedText.Encode("values");
        public static readonly JsonEncodedText Dots = JsonEncodedText.Encode("dots");
        public static readonly JsonEncodedText Dot = JsonEncodedText.Encode("dot");
        public static readonly JsonEncodedText Region = JsonEncodedText.Encode("region");
        public static readonly JsonEncodedText WrittenAt = JsonEncodedText.Encode("writtenAt");
        public static readonly JsonEncodedText Writer = JsonEncodedText.Encode("writer");
        public static readonly JsonEncodedText Context = JsonEncodedText.Encode("context");
    }

    /// <summary>Documents the answer as <see cref="RecordResponse"/>, as <c>Ok&lt;RecordResponse&gt;</c> did.</summary>
    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder) =>
        builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status200OK, typeof(RecordResponse), ["application/json"]));
}
