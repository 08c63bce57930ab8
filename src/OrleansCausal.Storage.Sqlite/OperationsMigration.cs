using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace OrleansCausal.Storage.Sqlite;

/// <summary>
/// Operation ids (idempotent writes): each bin row may carry the id of the operation that wrote it
/// (<c>bins.operation</c>), and each record row the operations the record remembers (<c>records.operations</c>, the
/// codec's encoding; NULL when none). Both columns are NULL for every existing row, which reads exactly as before:
/// bins without operation ids, records that remember none.
/// </summary>
internal static class OperationsMigration
{
    private const string Schema =
        """
        ALTER TABLE bins ADD COLUMN operation TEXT NULL;
        ALTER TABLE records ADD COLUMN operations BLOB NULL;
        """;

    public static void Apply(SqliteConnection connection, string path, ILogger logger) => SqliteSchema.Execute(connection, Schema);
}
