using System.Text;
using System.Text.Json;
using System.Text.Unicode;
using Microsoft.Extensions.Options;
using OrleansCausal.Core;
using OrleansCausal.Runtime.Options;

namespace OrleansCausal.Runtime.Records;

/// <summary>Checks keys and JSON values against <c>Limits:*</c>; a violation throws <see cref="RecordRequestException"/>.</summary>
public sealed class RecordInputValidator(IOptions<OrleansCausalOptions> options)
{
    private readonly LimitOptions _limits = options.Value.Limits;

    public LimitOptions Limits => _limits;

    /// <summary>Checks an operation id (<c>Idempotency-Key</c>) when one is given (see <see cref="OperationIds"/>).</summary>
    public void ValidateOperationId(string? operationId)
    {
        if (operationId is not null && OperationIds.Describe(operationId) is { } problem)
        {
            throw new RecordRequestException(RecordError.InvalidOperationId, $"The Idempotency-Key is not valid: {problem}.");
        }
    }

    public void ValidateKey(string key)
    {
        if (key.Length == 0)
        {
            throw new RecordRequestException(RecordError.InvalidKey, "The key is empty.");
        }

        var bytes = Encoding.UTF8.GetByteCount(key);
        if (bytes > _limits.MaxKeyLength)
        {
            throw new RecordRequestException(RecordError.InvalidKey, $"The key is {bytes} bytes long; the limit (Limits:MaxKeyLength) is {_limits.MaxKeyLength}.");
        }

        foreach (var c in key)
        {
            if (char.IsControl(c))
            {
                throw new RecordRequestException(RecordError.InvalidKey, "The key contains a control character.");
            }
        }
    }

    /// <summary>Checks a UTF-8 JSON value (size, valid UTF-8, well-formedness, exactly one value, depth) and returns
    /// its text. A leading UTF-8 byte order mark is dropped; any other byte sequence that is not UTF-8 is refused
    /// (it would otherwise be stored as U+FFFD, silently altering what the client sent).</summary>
    public string ValidateValue(ReadOnlySpan<byte> utf8Json)
    {
        if (utf8Json.Length > _limits.MaxValueBytes)
        {
            throw new RecordRequestException(RecordError.ValueTooLarge, $"The value is {utf8Json.Length} bytes; the limit (Limits:MaxValueBytes) is {_limits.MaxValueBytes}.");
        }

        if (utf8Json.StartsWith(Utf8Bom))
        {
            utf8Json = utf8Json[Utf8Bom.Length..];
        }

        if (!Utf8.IsValid(utf8Json))
        {
            throw new RecordRequestException(RecordError.InvalidJson, "The value is not valid UTF-8: send the JSON value encoded as UTF-8.");
        }

        var reader = new Utf8JsonReader(utf8Json, new JsonReaderOptions { MaxDepth = _limits.MaxJsonDepth + 1, CommentHandling = JsonCommentHandling.Disallow });
        try
        {
            var any = false;
            while (reader.Read())
            {
                any = true;
                if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray && reader.CurrentDepth + 1 > _limits.MaxJsonDepth)
                {
                    throw new RecordRequestException(RecordError.JsonTooDeep, $"The value nests objects or arrays deeper than {_limits.MaxJsonDepth} levels (Limits:MaxJsonDepth).");
                }
            }

            if (!any)
            {
                throw new RecordRequestException(RecordError.InvalidJson, "The value is empty: send a JSON value (use DELETE to delete).");
            }
        }
        catch (JsonException e)
        {
            throw new RecordRequestException(RecordError.InvalidJson, $"The value is not valid JSON: {e.Message}");
        }

        return Encoding.UTF8.GetString(utf8Json).Trim();
    }

    private static ReadOnlySpan<byte> Utf8Bom => [0xEF, 0xBB, 0xBF];

    public string ValidateValue(string json) => ValidateValue(Encoding.UTF8.GetBytes(json));
}
