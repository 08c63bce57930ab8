namespace OrleansCausal.Core;

/// <summary>One distinct live value of a record and the dots of the siblings that hold exactly that JSON text, sorted.
/// "10D, 10D, 10D, 10F" reads as two groups: {10D: three dots} and {10F: one dot}.</summary>
public sealed record ValueGroup(string Value, IReadOnlyList<Dot> Dots);
