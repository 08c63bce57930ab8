using Microsoft.Data.Sqlite;

namespace OrleansCausal.Storage.Sqlite;

/// <summary>Turns SQLite and file-system failures into <see cref="RecordStoreException"/>s that name the file and
/// say what is wrong in words an operator can act on.</summary>
internal static class SqliteErrors
{
    private const int Busy = 5;
    private const int Locked = 6;
    private const int ReadOnly = 8;
    private const int IoError = 10;
    private const int Corrupt = 11;
    private const int Full = 13;
    private const int CantOpen = 14;
    private const int NotADatabase = 26;

    public static RecordStoreException Wrap(string path, string action, Exception error, RecordKey? key = null)
    {
        if (error is RecordStoreException known)
        {
            return known;
        }

        var what = error switch
        {
            SqliteException { SqliteErrorCode: ReadOnly } => "the file or its directory is read-only",
            SqliteException { SqliteErrorCode: Full } => "the disk is full (or the file reached its configured size limit)",
            SqliteException { SqliteErrorCode: CantOpen } => "the file cannot be opened (missing directory, permissions or a path that is not a file)",
            SqliteException { SqliteErrorCode: IoError } => "a disk I/O error occurred",
            SqliteException { SqliteErrorCode: Corrupt or NotADatabase } => "the file is not a valid SQLite database or is corrupt",
            SqliteException { SqliteErrorCode: Busy or Locked } => "the file stayed locked by another connection or process past the busy timeout",
            SqliteException sqlite => $"SQLite error {sqlite.SqliteErrorCode}",
            UnauthorizedAccessException => "access to the file or its directory is denied",
            IOException => "the file or its directory cannot be created",
            _ => error.GetType().Name,
        };

        return new RecordStoreException($"SQLite store '{path}': {action} failed: {what}. {error.Message}", error, key);
    }
}
