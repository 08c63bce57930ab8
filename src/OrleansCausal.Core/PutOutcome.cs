namespace OrleansCausal.Core;

/// <summary>The result of a put or delete: the record after the write, the bin it created, and how many
/// siblings the sibling cap pruned (0 normally; the layers above log and count every prune).</summary>
public readonly record struct PutOutcome(CausalRecord Record, Bin Written, int Pruned);
