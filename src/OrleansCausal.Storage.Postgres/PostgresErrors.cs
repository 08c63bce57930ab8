using System.Net.Sockets;
using Npgsql;

namespace OrleansCausal.Storage.Postgres;

/// <summary>
/// Turns driver exceptions into <see cref="RecordStoreException"/>s whose message says what is wrong (unreachable
/// server, wrong credentials, missing database, permissions, full disk, read-only server), never the password.
/// </summary>
internal static class PostgresErrors
{
    public const string DeadlockDetected = "40P01";
    public const string SerializationFailure = "40001";

    public static bool IsTransientConflict(Exception e) =>
        e is PostgresException { SqlState: DeadlockDetected or SerializationFailure };

    /// <summary>True when the failure is about the connection or the server as a whole, not about one statement,
    /// so retrying the writes of a batch one by one would not help.</summary>
    public static bool IsConnectionLevel(Exception e) =>
        e is NpgsqlException { InnerException: SocketException or IOException or TimeoutException }
        || e is PostgresException { SqlState: var s } && (s.StartsWith("08", StringComparison.Ordinal)
            || s.StartsWith("28", StringComparison.Ordinal) || s.StartsWith("57P", StringComparison.Ordinal)
            || s == "3D000" || s == "53300" || s == "53100")
        || e is NpgsqlException { IsTransient: true } and not PostgresException;

    public static RecordStoreException Translate(Exception e, string description, string endpoint, string operation, RecordKey? key = null)
    {
        if (e is RecordStoreException store)
        {
            return store;
        }

        var message = e switch
        {
            PostgresException { SqlState: "28P01" or "28000" } pg =>
                $"PostgreSQL at {endpoint} refused the credentials (wrong user name or password) while trying to {operation}: {pg.MessageText} ({description}).",
            PostgresException { SqlState: "3D000" } pg =>
                $"PostgreSQL at {endpoint}: the database does not exist ({pg.MessageText}); create it first ({description}).",
            PostgresException { SqlState: "42501" } pg =>
                $"PostgreSQL at {endpoint}: permission denied while trying to {operation}: {pg.MessageText}. The role needs CREATE on the database (first start) and read/write on the store's schema ({description}).",
            PostgresException { SqlState: "53100" } pg =>
                $"PostgreSQL at {endpoint} is out of disk space; could not {operation}: {pg.MessageText} ({description}).",
            PostgresException { SqlState: "25006" } pg =>
                $"PostgreSQL at {endpoint} is read-only (a standby, or default_transaction_read_only); could not {operation}: {pg.MessageText} ({description}).",
            PostgresException { SqlState: "53300" } pg =>
                $"PostgreSQL at {endpoint} has too many connections; could not {operation}: {pg.MessageText} ({description}).",
            PostgresException { SqlState: var s } pg when s.StartsWith("57P", StringComparison.Ordinal) =>
                $"PostgreSQL at {endpoint} is shutting down, starting up or ended the connection; could not {operation}: {pg.MessageText} ({description}).",
            PostgresException pg =>
                $"PostgreSQL at {endpoint} failed to {operation}: {pg.SqlState} {pg.MessageText} ({description}).",
            NpgsqlException { InnerException: SocketException socket } =>
                $"Cannot reach the PostgreSQL server at {endpoint} to {operation}: {socket.SocketErrorCode} ({socket.Message}). Is it running and listening there? ({description})",
            NpgsqlException { InnerException: TimeoutException } or TimeoutException =>
                $"Timed out talking to the PostgreSQL server at {endpoint} while trying to {operation} ({description}).",
            NpgsqlException { InnerException: IOException io } =>
                $"Lost the connection to the PostgreSQL server at {endpoint} while trying to {operation}: {io.Message} ({description}).",
            NpgsqlException npgsql =>
                $"PostgreSQL at {endpoint} failed to {operation}: {npgsql.Message} ({description}).",
            _ => $"The PostgreSQL store failed to {operation}: {e.Message} ({description}).",
        };

        return new RecordStoreException(message, e, key);
    }
}
