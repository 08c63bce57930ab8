namespace OrleansCausal.Storage;

/// <summary>
/// How far the change feed of a source replica has been applied here. Saved in the same transaction as the
/// merge it belongs to, so the receiver can detect a batch that would skip a gap and refuse it. A store never moves a
/// saved position back (it keeps the higher of the saved and the new value): two silos of a region applying the same
/// source, or a late duplicate, cannot undo what another merge recorded, and a receiver may treat any position it
/// read or saved as a lower bound of the stored one.
/// </summary>
public sealed record InboundPosition(string Source, long AppliedThrough);
