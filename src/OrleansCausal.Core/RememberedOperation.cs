namespace OrleansCausal.Core;

/// <summary>
/// An operation a record has held: its id, the dot of the bin that carried it and that bin's accepted time. A dot is
/// unique and immutable, so the entry for a dot never changes; a record's remembered set is a set of these entries,
/// merged by union and bounded by <see cref="OperationWindow"/>.
/// </summary>
public readonly record struct RememberedOperation(string Id, Dot Dot, DateTimeOffset WrittenAt)
{
    public static RememberedOperation Of(Bin bin) =>
        new(bin.OperationId ?? throw new ArgumentException($"Bin {bin.Dot} carries no operation id.", nameof(bin)), bin.Dot, bin.WrittenAt);

    public override string ToString() => $"{Id}@{Dot}";
}
