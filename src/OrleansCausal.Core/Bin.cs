namespace OrleansCausal.Core;

/// <summary>
/// One write to a record: its <see cref="Dot"/>, the JSON value written (or <c>null</c> for a tombstone),
/// the causal context its writer supplied, the wall-clock time the write was accepted, and who wrote it (the API
/// key's name, or the name an in-process caller gives; <c>null</c> for bins written before writers were recorded).
/// A bin may carry the id of the operation that wrote it (<see cref="OperationIds"/>, the <c>Idempotency-Key</c>), so that
/// a retry or a second delivery of that operation, even in another region, is recognised as the same operation.
/// The time and the writer are for display, diagnostics and time-based resolvers only, never for causality.
/// </summary>
public sealed class Bin : IEquatable<Bin>
{
    /// <summary>The longest writer name kept, in characters.</summary>
    public const int MaxWriterLength = 128;

    public Bin(Dot dot, string? value, VersionVector context, DateTimeOffset writtenAt, string? writer = null, string? operationId = null)
    {
        if (dot.Counter == 0)
        {
            throw new ArgumentException("A dot counter starts at 1.", nameof(dot));
        }

        if (context.Covers(dot))
        {
            throw new ArgumentException($"The context {context} of bin {dot} covers the bin's own dot.", nameof(context));
        }

        if (writer is not null && (writer.Length == 0 || writer.Length > MaxWriterLength))
        {
            throw new ArgumentException($"A writer name has 1-{MaxWriterLength} characters (got {writer.Length}).", nameof(writer));
        }

        if (operationId is not null && !OperationIds.IsValid(operationId))
        {
            throw new ArgumentException($"Invalid operation id: {OperationIds.Describe(operationId)}.", nameof(operationId));
        }

        Dot = dot;
        Value = value;
        Context = context;
        WrittenAt = writtenAt;
        Writer = writer;
        OperationId = operationId;
    }

    public Dot Dot { get; }

    /// <summary>The JSON text written, or <c>null</c> for a tombstone (a delete).</summary>
    public string? Value { get; }

    public bool IsTombstone => Value is null;

    public VersionVector Context { get; }

    public DateTimeOffset WrittenAt { get; }

    /// <summary>Who wrote the bin (an API key's name, or an in-process caller's name); <c>null</c> when unknown.</summary>
    public string? Writer { get; }

    /// <summary>The id of the operation that wrote the bin (see <see cref="OperationIds"/>); <c>null</c> when none was given.</summary>
    public string? OperationId { get; }

    public bool Equals(Bin? other) =>
        other is not null &&
        Dot == other.Dot &&
        string.Equals(Value, other.Value, StringComparison.Ordinal) &&
        Context.Equals(other.Context) &&
        WrittenAt == other.WrittenAt &&
        string.Equals(Writer, other.Writer, StringComparison.Ordinal) &&
        string.Equals(OperationId, other.OperationId, StringComparison.Ordinal);

    public override bool Equals(object? obj) => Equals(obj as Bin);

    public override int GetHashCode() => Dot.GetHashCode();

    public override string ToString() => $"{Dot}{{{Value ?? "⊥"}, ctx {Context}}}";
}
