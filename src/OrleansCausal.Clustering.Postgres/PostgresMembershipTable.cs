using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using Orleans;
using Orleans.Configuration;
using Orleans.Runtime;

namespace OrleansCausal.Clustering.Postgres;

/// <summary>
/// Orleans membership in PostgreSQL, for the silos of one region (cluster id = region).
/// <list type="bullet">
/// <item>Every change (<see cref="InsertRowAsync"/>, <see cref="UpdateRowAsync"/>) is a compare-and-set of the
/// cluster's table version etag, done in one transaction with the row change: a stale etag, a non-increasing version,
/// an existing row on insert, a missing row or a stale row etag on update all refuse the change (false) and leave the
/// table as it was.</item>
/// <item>Reads return the rows and the table version from one statement (one snapshot).</item>
/// <item><see cref="UpdateIAmAliveAsync"/> changes only the heartbeat column: no etag moves, so a row and version read
/// before a heartbeat can still be used to update.</item>
/// </list>
/// </summary>
public sealed class PostgresMembershipTable : IMembershipTable, IAsyncDisposable
{
    private const string UndefinedTable = "42P01";
    private readonly string _clusterId;
    private readonly string _connectionString;
    private readonly ILogger<PostgresMembershipTable> _logger;
    private readonly Lazy<NpgsqlDataSource> _dataSource;

    public PostgresMembershipTable(IOptions<PostgresClusteringOptions> options, IOptions<ClusterOptions> clusterOptions, ILogger<PostgresMembershipTable> logger)
    {
        _connectionString = options.Value.ConnectionString;
        _clusterId = clusterOptions.Value.ClusterId;
        _logger = logger;
        // Created on first use, after the options validator ran at silo start.
        _dataSource = new Lazy<NpgsqlDataSource>(() => NpgsqlDataSource.Create(_connectionString));
    }

    private NpgsqlDataSource DataSource => _dataSource.Value;

    public Task InitializeMembershipTable(bool tryInitTableVersion) => InitializeMembershipTableAsync(tryInitTableVersion, CancellationToken.None);

    public async Task InitializeMembershipTableAsync(bool tryInitTableVersion, CancellationToken cancellationToken)
    {
        await MembershipSchema.EnsureAsync(DataSource, _clusterId, tryInitTableVersion, cancellationToken).ConfigureAwait(false);
        _logger.LogInformationInitialized(_clusterId, ConnectionStrings.Describe(_connectionString), tryInitTableVersion);
    }

    public Task DeleteMembershipTableEntries(string clusterId) => DeleteMembershipTableEntriesAsync(clusterId, CancellationToken.None);

    public async Task DeleteMembershipTableEntriesAsync(string clusterId, CancellationToken cancellationToken)
    {
        await using var command = DataSource.CreateCommand("DELETE FROM orleanscausal.membership_version WHERE cluster_id = @cluster_id");
        command.Parameters.Add(new("cluster_id", clusterId));
        try
        {
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (PostgresException e) when (e.SqlState == UndefinedTable)
        {
            return; // Never initialized: nothing to delete.
        }

        _logger.LogWarningDeleted(clusterId);
    }

    public Task CleanupDefunctSiloEntries(DateTimeOffset beforeDate) => CleanupDefunctSiloEntriesAsync(beforeDate, CancellationToken.None);

    /// <summary>Deletes the cluster's Dead rows whose start, heartbeat and suspicion votes are all older than
    /// <paramref name="beforeDate"/>. Rows of other statuses are never touched.</summary>
    public async Task CleanupDefunctSiloEntriesAsync(DateTimeOffset beforeDate, CancellationToken cancellationToken)
    {
        await using var command = DataSource.CreateCommand($"""
            DELETE FROM orleanscausal.membership_silo
            WHERE cluster_id = @cluster_id AND status = '{nameof(SiloStatus.Dead)}'
              AND greatest(start_time, i_am_alive_time) < @before
              AND NOT EXISTS (SELECT 1 FROM unnest(suspecting_times) AS vote(at) WHERE vote.at >= @before)
            """);
        command.Parameters.Add(new("cluster_id", _clusterId));
        command.Parameters.Add(new("before", beforeDate.UtcDateTime));
        var count = await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        if (count > 0)
        {
            _logger.LogInformationCleanedUp(count, _clusterId, beforeDate);
        }
    }

    public Task<MembershipTableData> ReadRow(SiloAddress key) => ReadRowAsync(key, CancellationToken.None);

    public Task<MembershipTableData> ReadRowAsync(SiloAddress key, CancellationToken cancellationToken) =>
        ReadAsync(MembershipRows.Key(key), cancellationToken);

    public Task<MembershipTableData> ReadAll() => ReadAllAsync(CancellationToken.None);

    public Task<MembershipTableData> ReadAllAsync(CancellationToken cancellationToken) => ReadAsync(siloKey: null, cancellationToken);

    public Task<bool> InsertRow(MembershipEntry entry, TableVersion tableVersion) => InsertRowAsync(entry, tableVersion, CancellationToken.None);

    public Task<bool> InsertRowAsync(MembershipEntry entry, TableVersion tableVersion, CancellationToken cancellationToken) =>
        WriteAsync(
            nameof(InsertRow),
            entry,
            tableVersion,
            $"INSERT INTO orleanscausal.membership_silo (cluster_id, {MembershipRows.Columns}) VALUES (@cluster_id, {MembershipRows.Values}, gen_random_uuid()) ON CONFLICT DO NOTHING",
            rowEtag: null,
            cancellationToken);

    public Task<bool> UpdateRow(MembershipEntry entry, string etag, TableVersion tableVersion) => UpdateRowAsync(entry, etag, tableVersion, CancellationToken.None);

    public Task<bool> UpdateRowAsync(MembershipEntry entry, string etag, TableVersion tableVersion, CancellationToken cancellationToken) =>
        Guid.TryParse(etag, out var rowEtag)
            ? WriteAsync(
                nameof(UpdateRow),
                entry,
                tableVersion,
                $"UPDATE orleanscausal.membership_silo SET {MembershipRows.Assignments}, row_etag = gen_random_uuid() WHERE cluster_id = @cluster_id AND silo_address = @silo_address AND row_etag = @row_etag",
                rowEtag,
                cancellationToken)
            : Task.FromResult(false);

    public Task UpdateIAmAlive(MembershipEntry entry) => UpdateIAmAliveAsync(entry, CancellationToken.None);

    public async Task UpdateIAmAliveAsync(MembershipEntry entry, CancellationToken cancellationToken)
    {
        await using var command = DataSource.CreateCommand(
            "UPDATE orleanscausal.membership_silo SET i_am_alive_time = @i_am_alive_time WHERE cluster_id = @cluster_id AND silo_address = @silo_address");
        command.Parameters.Add(new("cluster_id", _clusterId));
        command.Parameters.Add(new("silo_address", MembershipRows.Key(entry.SiloAddress)));
        command.Parameters.Add(new("i_am_alive_time", MembershipRows.Utc(entry.IAmAliveTime)));
        if (await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 0)
        {
            throw new PostgresClusteringException($"No membership row for silo {entry.SiloAddress} in cluster {_clusterId}: its heartbeat was not recorded.");
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_dataSource.IsValueCreated)
        {
            await _dataSource.Value.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>The version row and the cluster's silo rows (or one of them) in one statement: an atomic snapshot.
    /// A cluster without a version row (never initialized, or deleted) reads as empty at version 0 with an etag no
    /// write can match.</summary>
    private async Task<MembershipTableData> ReadAsync(string? siloKey, CancellationToken cancellationToken)
    {
        await using var command = DataSource.CreateCommand($"""
            SELECT v.version, v.version_etag, {Prefixed("s.", MembershipRows.Columns)}
            FROM orleanscausal.membership_version v
            LEFT JOIN orleanscausal.membership_silo s
              ON s.cluster_id = v.cluster_id {(siloKey is null ? string.Empty : "AND s.silo_address = @silo_address")}
            WHERE v.cluster_id = @cluster_id
            """);
        command.Parameters.Add(new("cluster_id", _clusterId));
        if (siloKey is not null)
        {
            command.Parameters.Add(new("silo_address", siloKey));
        }

        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var rows = new List<Tuple<MembershipEntry, string>>();
        var version = new TableVersion(0, string.Empty);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            version = new TableVersion(reader.GetInt32(0), reader.GetGuid(1).ToString());
            if (!reader.IsDBNull(2))
            {
                rows.Add(MembershipRows.Read(reader, 2));
            }
        }

        return new MembershipTableData(rows, version);
    }

    /// <summary>One transaction: move the table version (compare-and-set on its etag, version must grow), then run the
    /// row statement; either refusing rolls both back.</summary>
    private async Task<bool> WriteAsync(string operation, MembershipEntry entry, TableVersion tableVersion, string rowSql, Guid? rowEtag, CancellationToken cancellationToken)
    {
        if (!Guid.TryParse(tableVersion.VersionEtag, out var versionEtag))
        {
            _logger.LogDebugRefused(operation, entry.SiloAddress.ToString(), _clusterId, tableVersion.VersionEtag);
            return false;
        }

        await using var connection = await DataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using var version = new NpgsqlCommand(
            """
            UPDATE orleanscausal.membership_version SET version = @version, version_etag = gen_random_uuid()
            WHERE cluster_id = @cluster_id AND version_etag = @version_etag AND version < @version
            """,
            connection,
            transaction);
        version.Parameters.Add(new("cluster_id", _clusterId));
        version.Parameters.Add(new("version", tableVersion.Version));
        version.Parameters.Add(new("version_etag", versionEtag));
        await using var row = new NpgsqlCommand(rowSql, connection, transaction);
        row.Parameters.Add(new("cluster_id", _clusterId));
        MembershipRows.AddParameters(row.Parameters, entry);
        if (rowEtag is { } expected)
        {
            row.Parameters.Add(new("row_etag", expected));
        }

        // The version row is locked by the first statement until commit, so two writers of one cluster take turns and
        // the second sees the first's new etag; an insert of an existing silo affects no row (ON CONFLICT DO NOTHING).
        if (await version.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1
            && await row.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1)
        {
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            return true;
        }

        await transaction.RollbackAsync(cancellationToken).ConfigureAwait(false);
        _logger.LogDebugRefused(operation, entry.SiloAddress.ToString(), _clusterId, tableVersion.VersionEtag);
        return false;
    }

    private static string Prefixed(string prefix, string columns) =>
        string.Join(", ", columns.Split(", ").Select(column => prefix + column));
}
