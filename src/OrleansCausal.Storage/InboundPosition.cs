namespace OrleansCausal.Storage;

/// <summary>
/// How far the change feed of a source replica has been applied here. Saved in the same transaction as the
/// merge it belongs to, so the receiver can detect a batch that would skip a gap and refuse it.
/// </summary>
public sealed record InboundPosition(string Source, long AppliedThrough);
