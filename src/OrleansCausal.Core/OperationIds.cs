namespace OrleansCausal.Core;

/// <summary>
/// The rule for operation ids (the <c>Idempotency-Key</c> of a write): 1 to <see cref="MaxLength"/> printable ASCII
/// characters (U+0020 to U+007E), not starting or ending with a space. A client picks one per logical operation (a
/// GUID, a queue message id) and sends it again on every retry or redelivery of that operation.
/// </summary>
public static class OperationIds
{
    public const int MaxLength = 128;

    public static bool IsValid(string? id)
    {
        if (string.IsNullOrEmpty(id) || id.Length > MaxLength || id[0] == ' ' || id[^1] == ' ')
        {
            return false;
        }

        foreach (var c in id)
        {
            if (c is < ' ' or > '~')
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Why <paramref name="id"/> is not valid, for error messages (null when it is).</summary>
    public static string? Describe(string? id) =>
        IsValid(id)
            ? null
            : string.IsNullOrEmpty(id)
                ? "an operation id must not be empty"
                : id.Length > MaxLength
                    ? $"an operation id has at most {MaxLength} characters (got {id.Length})"
                    : "an operation id holds only printable ASCII characters (U+0020 to U+007E) and does not start or end with a space";
}
