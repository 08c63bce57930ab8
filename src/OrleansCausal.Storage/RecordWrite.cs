using OrleansCausal.Core;

namespace OrleansCausal.Storage;

/// <summary>
/// A conditional write of a whole record computed by its owner (the record grain): replace <see cref="Before"/>,
/// which the writer read at <see cref="ExpectedVersion"/>, with <see cref="After"/>. The store applies it only if the
/// record is still at that version (0: it must not exist yet), and otherwise changes nothing and throws
/// <see cref="RecordVersionConflictException"/>. Because the store may trust <see cref="Before"/> once the version
/// matches, it writes only the difference: bins of <see cref="After"/> not in <see cref="Before"/> are inserted,
/// bins of <see cref="Before"/> not in <see cref="After"/> are deleted, and the inserted bins under the store's own
/// replica are appended to the change feed in the same transaction.
/// </summary>
public sealed record RecordWrite(RecordKey Key, long ExpectedVersion, CausalRecord Before, CausalRecord After);
