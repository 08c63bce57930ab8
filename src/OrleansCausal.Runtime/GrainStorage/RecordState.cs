using OrleansCausal.Core;

namespace OrleansCausal.Runtime.GrainStorage;

/// <summary>
/// A record grain's persistent state, as <see cref="DottedBinsGrainStorage"/> reads and writes it. The record values
/// are immutable; this holder is what Orleans' <c>IPersistentState</c> needs. <see cref="Record"/> is what the grain
/// wants stored at the next write; <see cref="Persisted"/> is what the store holds at the state's ETag, so a write
/// sends the store only the difference (bins added, bins dropped).
/// </summary>
public sealed class RecordState
{
    public CausalRecord Record { get; set; } = CausalRecord.Empty;

    public CausalRecord Persisted { get; internal set; } = CausalRecord.Empty;
}
