namespace OrleansCausal.Core;

/// <summary>
/// One write to a record: its <see cref="Dot"/>, the JSON value written (or <c>null</c> for a tombstone),
/// the causal context its writer supplied, and the wall-clock time the write was accepted. The time is for
/// display and time-based resolvers only, never for causality.
/// </summary>
public sealed class Bin : IEquatable<Bin>
{
    public Bin(Dot dot, string? value, VersionVector context, DateTimeOffset writtenAt)
    {
        if (dot.Counter == 0)
        {
            throw new ArgumentException("A dot counter starts at 1.", nameof(dot));
        }

        if (context.Covers(dot))
        {
            throw new ArgumentException($"The context {context} of bin {dot} covers the bin's own dot.", nameof(context));
        }

        Dot = dot;
        Value = value;
        Context = context;
        WrittenAt = writtenAt;
    }

    public Dot Dot { get; }

    /// <summary>The JSON text written, or <c>null</c> for a tombstone (a delete).</summary>
    public string? Value { get; }

    public bool IsTombstone => Value is null;

    public VersionVector Context { get; }

    public DateTimeOffset WrittenAt { get; }

    public bool Equals(Bin? other) =>
        other is not null &&
        Dot == other.Dot &&
        string.Equals(Value, other.Value, StringComparison.Ordinal) &&
        Context.Equals(other.Context) &&
        WrittenAt == other.WrittenAt;

    public override bool Equals(object? obj) => Equals(obj as Bin);

    public override int GetHashCode() => Dot.GetHashCode();

    public override string ToString() => $"{Dot}{{{Value ?? "⊥"}, ctx {Context}}}";
}
