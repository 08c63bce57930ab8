using Npgsql;
using NpgsqlTypes;
using Orleans;
using Orleans.Runtime;

namespace OrleansCausal.Clustering.Postgres;

/// <summary>Maps a <see cref="MembershipEntry"/> to the columns of <c>orleanscausal.membership_silo</c> and back.
/// Times are stored as timestamptz (microsecond precision, UTC).</summary>
internal static class MembershipRows
{
    /// <summary>The entry columns, in the order <see cref="Read"/> expects them.</summary>
    public const string Columns =
        "silo_address, silo_name, host_name, status, proxy_port, role_name, update_zone, fault_zone, " +
        "start_time, i_am_alive_time, suspecting_silos, suspecting_times, row_etag";

    /// <summary>The entry parameters: <c>@silo_address</c>, <c>@silo_name</c>, … (same names as the columns).</summary>
    public const string Values =
        "@silo_address, @silo_name, @host_name, @status, @proxy_port, @role_name, @update_zone, @fault_zone, " +
        "@start_time, @i_am_alive_time, @suspecting_silos, @suspecting_times";

    /// <summary>Column = parameter for every column an <c>UpdateRow</c> replaces.</summary>
    public const string Assignments =
        "silo_name = @silo_name, host_name = @host_name, status = @status, proxy_port = @proxy_port, " +
        "role_name = @role_name, update_zone = @update_zone, fault_zone = @fault_zone, start_time = @start_time, " +
        "i_am_alive_time = @i_am_alive_time, suspecting_silos = @suspecting_silos, suspecting_times = @suspecting_times";

    public static string Key(SiloAddress silo) => silo.ToParsableString();

    public static void AddParameters(NpgsqlParameterCollection parameters, MembershipEntry entry)
    {
        var votes = entry.SuspectTimes ?? [];
        parameters.Add(new("silo_address", Key(entry.SiloAddress)));
        parameters.Add(new("silo_name", NpgsqlDbType.Text) { Value = (object?)entry.SiloName ?? DBNull.Value });
        parameters.Add(new("host_name", NpgsqlDbType.Text) { Value = (object?)entry.HostName ?? DBNull.Value });
        parameters.Add(new("status", entry.Status.ToString()));
        parameters.Add(new("proxy_port", entry.ProxyPort));
        parameters.Add(new("role_name", NpgsqlDbType.Text) { Value = (object?)entry.RoleName ?? DBNull.Value });
        parameters.Add(new("update_zone", entry.UpdateZone));
        parameters.Add(new("fault_zone", entry.FaultZone));
        parameters.Add(new("start_time", Utc(entry.StartTime)));
        parameters.Add(new("i_am_alive_time", Utc(entry.IAmAliveTime)));
        parameters.Add(new("suspecting_silos", votes.Select(vote => Key(vote.Item1)).ToArray()));
        parameters.Add(new("suspecting_times", votes.Select(vote => Utc(vote.Item2)).ToArray()));
    }

    /// <summary>Reads the <see cref="Columns"/> starting at <paramref name="first"/>: the entry and its row etag.</summary>
    public static Tuple<MembershipEntry, string> Read(NpgsqlDataReader reader, int first)
    {
        var silos = reader.GetFieldValue<string[]>(first + 10);
        var times = reader.GetFieldValue<DateTime[]>(first + 11);
        var entry = new MembershipEntry
        {
            SiloAddress = SiloAddress.FromParsableString(reader.GetString(first)),
            SiloName = reader.IsDBNull(first + 1) ? null! : reader.GetString(first + 1),
            HostName = reader.IsDBNull(first + 2) ? null! : reader.GetString(first + 2),
            Status = Enum.Parse<SiloStatus>(reader.GetString(first + 3)),
            ProxyPort = reader.GetInt32(first + 4),
            RoleName = reader.IsDBNull(first + 5) ? null! : reader.GetString(first + 5),
            UpdateZone = reader.GetInt32(first + 6),
            FaultZone = reader.GetInt32(first + 7),
            StartTime = reader.GetFieldValue<DateTime>(first + 8),
            IAmAliveTime = reader.GetFieldValue<DateTime>(first + 9),
            SuspectTimes = silos.Zip(times, (silo, time) => Tuple.Create(SiloAddress.FromParsableString(silo), time)).ToList(),
        };
        return Tuple.Create(entry, reader.GetGuid(first + 12).ToString());
    }

    /// <summary>timestamptz takes UTC only; an unspecified kind is taken to be UTC already.</summary>
    public static DateTime Utc(DateTime time) => time.Kind switch
    {
        DateTimeKind.Utc => time,
        DateTimeKind.Local => time.ToUniversalTime(),
        _ => DateTime.SpecifyKind(time, DateTimeKind.Utc),
    };
}
