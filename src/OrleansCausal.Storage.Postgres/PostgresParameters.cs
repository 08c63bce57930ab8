using Npgsql;
using NpgsqlTypes;

namespace OrleansCausal.Storage.Postgres;

/// <summary>Typed array parameters for the <c>unnest</c> statements (an untyped empty array would not bind).</summary>
internal static class PostgresParameters
{
    public static NpgsqlParameter Text(string?[] values) =>
        new() { Value = values, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text };

    public static NpgsqlParameter Bytea(byte[]?[] values) =>
        new() { Value = values, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bytea };

    public static NpgsqlParameter Bigint(long[] values) =>
        new() { Value = values, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bigint };

    public static NpgsqlParameter Timestamptz(DateTime[] values) =>
        new() { Value = values, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.TimestampTz };
}
